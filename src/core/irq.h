/*
** irq.h -- external interrupts irq1..irq4 (irq.c), driven by the hardware
** life cycle (hw.c). Their state for `sim irq` is nd_irq_info (nodus/hal.h).
*/
#ifndef ND_IRQ_H
#define ND_IRQ_H

struct nd_node;

/* Arm every interrupt whose config enables it (irqN True, irqN_cbf set), on
** the open backend; a pin that cannot be armed is logged and skipped. The
** callback pipelines are captured now, as micrOS does. */
void nd_irq_start(struct nd_node *n);
/* Disarm them all (before the backend closes). */
void nd_irq_stop(struct nd_node *n);

#endif
