/*
** mps2.h -- the MPS2 board as the firmware port sees it: register addresses
** of the AN385/AN386 peripherals QEMU models, and the port's internal calls.
*/
#ifndef ND_MPS2_H
#define ND_MPS2_H

#include <stddef.h>
#include <stdint.h>

#define ND_MPS2_UART0 0x40004000u /* CMSDK APB UART */
#define ND_MPS2_ETH 0x40200000u   /* SMSC LAN9118 */
#define ND_MPS2_SYSCLK 25000000u  /* 25 MHz */

#define ND_REG(a) (*(volatile uint32_t *)(uintptr_t)(a))

extern volatile uint32_t nd_fw_ticks;

void nd_fw_uart_init(void);
void nd_fw_uart_write(const char *p, size_t n);
void nd_fw_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nd_fw_panic(const char *msg);
void nd_fw_system_reset(void) __attribute__((noreturn));
void nd_fw_time_init(void);
uint32_t nd_fw_rand(void);

/* the network (eth_lan9118.c, net_lwip.c) */
struct netif;
int nd_fw_eth_init(struct netif *nif);   /* netif_add's init callback */
int nd_fw_eth_poll(struct netif *nif);   /* frames handed to lwIP (0 = none waited) */
void nd_fw_net_init(void);               /* lwIP, the interface, static address */
int nd_fw_net_dispatch(void);            /* socket callbacks ready now (count) */
int nd_fw_net_poll(void);                /* frames in, lwIP timers; >0 when something moved */
int nd_fw_echo_start(int port);          /* the bare lwIP echo for the bench */
void nd_fw_mac_text(char out[18]);       /* the MAC, "xx:xx:xx:xx:xx:xx" */

/* the config store and file table (fs_ram.c) */
void nd_fw_fs_init(void);

#endif
