/*
** eth_lan9118.c -- the SMSC LAN9118 of the MPS2 board as an lwIP netif,
** polled (no interrupt): the loop calls nd_fw_eth_poll every turn.
**
** The chip is a pair of FIFOs behind registers: a frame goes out as two
** command words and the data words; a frame comes in as a status word
** (length incl. the 4-byte FCS) and the data words. Register semantics are
** from the LAN9118 datasheet (and what QEMU's model implements of it).
*/
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "mps2.h"
#include "netif/ethernet.h"

#define R(off) ND_REG(ND_MPS2_ETH + (off))
#define RX_DATA 0x00
#define TX_DATA 0x20
#define RX_STATUS 0x40
#define TX_STATUS 0x48
#define BYTE_TEST 0x64
#define RX_CFG 0x6C
#define TX_CFG 0x70
#define HW_CFG 0x74
#define RX_FIFO_INF 0x7C
#define TX_FIFO_INF 0x80
#define PMT_CTRL 0x84
#define MAC_CSR_CMD 0xA4
#define MAC_CSR_DATA 0xA8

#define MAC_CR 1
#define MAC_ADDRH 2
#define MAC_ADDRL 3
#define MAC_CR_RXEN (1u << 2)
#define MAC_CR_TXEN (1u << 3)
#define MAC_CR_MCPAS (1u << 19) /* pass all multicast frames */
#define CSR_BUSY (1u << 31)
#define CSR_READ (1u << 30)

#define FRAME_MAX 1536          /* Ethernet frame + FCS, rounded to words */
#define FRAMES_PER_POLL 16      /* a flood cannot hold the loop */

static uint32_t frame[FRAME_MAX / 4]; /* one frame in or out, word-aligned */

static void csr_wait(void)
{
    for (int i = 0; i < 100000 && (R(MAC_CSR_CMD) & CSR_BUSY); i++) {
    }
}

static uint32_t mac_read(uint32_t reg)
{
    csr_wait();
    R(MAC_CSR_CMD) = CSR_BUSY | CSR_READ | reg;
    csr_wait();
    return R(MAC_CSR_DATA);
}

static void mac_write(uint32_t reg, uint32_t v)
{
    csr_wait();
    R(MAC_CSR_DATA) = v;
    R(MAC_CSR_CMD) = CSR_BUSY | reg;
    csr_wait();
}

static err_t eth_output(struct netif *nif, struct pbuf *p)
{
    (void)nif;
    uint16_t len = p->tot_len;
    if (len > FRAME_MAX - 4) return ERR_BUF;
    pbuf_copy_partial(p, frame, len, 0);
    /* drain the TX status FIFO: its entries are of no use to us */
    while (R(TX_FIFO_INF) >> 16) (void)R(TX_STATUS);
    /* command A: first and last segment, buffer size; B: tag and length */
    R(TX_DATA) = (1u << 13) | (1u << 12) | len;
    R(TX_DATA) = ((uint32_t)len << 16) | len;
    for (uint32_t i = 0; i < (len + 3u) / 4u; i++) R(TX_DATA) = frame[i];
    return ERR_OK;
}

int nd_fw_eth_poll(struct netif *nif)
{
    int got = 0;
    while (got < FRAMES_PER_POLL && ((R(RX_FIFO_INF) >> 16) & 0xffu)) {
        uint32_t st = R(RX_STATUS);
        uint32_t len = (st >> 16) & 0x3fffu; /* with the FCS */
        uint32_t words = (len + 3u) / 4u;
        if (words > FRAME_MAX / 4) { /* cannot be: skip it word by word */
            for (uint32_t i = 0; i < words; i++) (void)R(RX_DATA);
            continue;
        }
        for (uint32_t i = 0; i < words; i++) frame[i] = R(RX_DATA);
        got++;
        if ((st & (1u << 15)) || len < 18) continue; /* error summary / runt */
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (uint16_t)(len - 4), PBUF_POOL);
        if (!p) continue; /* pool empty: the peer retransmits */
        pbuf_take(p, frame, (uint16_t)(len - 4));
        if (nif->input(p, nif) != ERR_OK) pbuf_free(p);
    }
    return got;
}

int nd_fw_eth_init(struct netif *nif)
{
    if (R(BYTE_TEST) != 0x87654321u) return ERR_IF;
    R(HW_CFG) = 1u; /* soft reset */
    for (int i = 0; i < 100000 && !(R(PMT_CTRL) & 1u); i++) {
    }
    uint32_t lo = mac_read(MAC_ADDRL), hi = mac_read(MAC_ADDRH);
    nif->hwaddr_len = 6;
    /* ADDRL holds bytes 0-3, ADDRH 4-5, lowest first: as they lie in memory
    ** on this little-endian core */
    memcpy(nif->hwaddr, &lo, 4);
    memcpy(nif->hwaddr + 4, &hi, 2);
    nif->mtu = 1500;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                 NETIF_FLAG_LINK_UP | NETIF_FLAG_IGMP;
    nif->name[0] = 'e';
    nif->name[1] = 'n';
    nif->output = etharp_output;
    nif->linkoutput = eth_output;
    R(RX_CFG) = 0;
    R(TX_CFG) = 1u << 1; /* TX_ON */
    /* The MAC keeps only frames to its own address unless told otherwise:
    ** mDNS (224.0.0.251 = 01:00:5e:00:00:fb) needs multicast in. All of it
    ** rather than the 64-bit hash filter: a board joins one or two groups,
    ** and lwIP drops datagrams to groups it has not joined anyway. */
    mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_MCPAS);
    return ERR_OK;
}
