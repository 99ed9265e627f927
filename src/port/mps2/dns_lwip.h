/*
** dns_lwip.h -- the board's DNS client (dns_lwip.c) as net_lwip.c sees it.
*/
#ifndef ND_DNS_LWIP_H
#define ND_DNS_LWIP_H

/* Report finished and timed-out lookups (from the loop's socket dispatch);
** returns how many callbacks ran. */
int nd_fw_dns_dispatch(void);
/* The DNS server lookups go to, dotted ("0.0.0.0" when there is none: no DNS
** client in this image, or `nameserver` is not an IPv4 address). */
int nd_fw_dns_server(char out[16]);

#endif
