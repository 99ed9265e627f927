/*
** cpu.c -- the processor's own sensors through the port (micrOS LM_esp32's
** `temp`, for any platform): temp -> {'CPU temp [C]': 47.5} (round(x, 1)),
** or micrOS's {'CPU temp [C]': -1.0} where the platform exposes no
** temperature; nodus adds freq -> {'CPU freq [MHz]': 1800.0} (0.0 when
** unknown). micrOS's hall/touch/battery are ESP32/TinyPICO hardware: not
** here. The contract: docs/modules.md.
*/
#include <stdio.h>
#include <stdlib.h>

#include "nodus/module.h"
#include "nodus/port.h"

static double round1(double x) /* Python's round(x, 1): exact binary value, correctly rounded */
{
    char b[64];
    snprintf(b, sizeof b, "%.1f", x);
    return strtod(b, NULL);
}

static int f_temp(nd_call *c)
{
    double t;
    if (nd_port_cpu_temp(&t) != ND_OK) t = -1.0;
    else t = round1(t);
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "CPU temp [C]", nd_float(c->arena, t)))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static int f_freq(nd_call *c)
{
    double mhz = nd_port_cpu_mhz();
    nd_value *d = nd_ret_dict(c);
    if (!d || nd_dict_set(c->arena, d, "CPU freq [MHz]", nd_float(c->arena, round1(mhz))))
        return nd_fail(c, "memory allocation failed");
    return ND_OK;
}

static const nd_func funcs[] = {
    ND_FUNC("temp", f_temp, "", "TEXTBOX temp"),
    ND_FUNC("freq", f_freq, "", "TEXTBOX freq"),
    ND_FUNCS_END,
};

const nd_module nd_mod_cpu = {"cpu", funcs, NULL, "CPU temperature and clock (micrOS esp32 temp)"};
