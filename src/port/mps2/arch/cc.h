/*
** arch/cc.h -- lwIP's compiler/platform header for the nodus firmware:
** newlib's stdint/inttypes, little-endian Cortex-M, diagnostics to the UART.
*/
#ifndef ND_LWIP_ARCH_CC_H
#define ND_LWIP_ARCH_CC_H

#include <stdint.h>
#include <stdlib.h>

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_ERRNO_STDINCLUDE 1
/* lwIP's own isdigit/isspace... comparisons instead of <ctype.h>: newlib's
** are a 257-byte table (_ctype_) that nothing else in the image reads */
#define LWIP_NO_CTYPE_H 1

void nd_fw_panic(const char *msg);
void nd_fw_diag(const char *fmt, ...);
uint32_t nd_fw_rand(void);

#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        nd_fw_diag x;         \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) nd_fw_panic(x)
#define LWIP_RAND() nd_fw_rand()

#endif
