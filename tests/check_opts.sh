#!/usr/bin/env bash
# Every tunable limit lives in include/nodus/opts.h (lwIP's opt.h pattern),
# so that a port overrides it from its nd_port_opts.h without touching the
# core. This check fails when src/core or modules/ #define an ND_* macro with
# a numeric value (a bound, a size, a timeout, a count ...) that is not on the
# allow-list below. A new limit goes into opts.h (#ifndef-guarded, with a
# why-comment); a value that must NOT be tuned -- fixed by a protocol or a
# file format, kept for micrOS compatibility, derived from other limits, a
# flag bit or a sentinel -- goes on the allow-list with its reason.
# String values (file names) and function-like macros are not looked at.
set -euo pipefail
cd "$(dirname "$0")/.."

# name        why it is not in opts.h
allow=$(sed -e 's/#.*//' -e '/^\s*$/d' <<'EOF'
# -- fixed by a protocol or an RFC --
ND_DNS_NAME_WIRE_MAX   # RFC 1035 2.3.4: 255 bytes of wire name
ND_DNS_TEXT_MAX        # text of the longest wire name, every byte escaped, + NUL
ND_DNS_IN              # DNS class IN
ND_DNS_CLASS_TOP       # DNS class bit: cache-flush / unicast-response (RFC 6762)
ND_DNS_QR              # DNS header flag bits
ND_DNS_AA
ND_DNS_TC
ND_MQTT_RL_MAX         # MQTT remaining-length varint: 4 bytes at most
ND_NTP_UNIX_DELTA      # seconds from the NTP epoch (1900) to the Unix one
ND_SUN_ALTITUDE        # standard sunrise/sunset altitude, degrees
ND_CRON_T_MIN          # calendar range of cron times (years 1..9999)
ND_CRON_T_MAX
ND_TZ_NAME_MAX         # POSIX TZ name: 16 holds every real one (POSIX asks >= 6)
ND_SIM_BME280_ADDR     # I2C addresses of the simulated chips (their datasheets)
ND_SIM_AHT10_ADDR
ND_SIM_VEML_ADDR
ND_SIM_OLED_ADDR
# -- micrOS compatibility: the same values as the nodes nodus talks to --
ND_IC_ATTEMPTS         # InterCon: one retry, as micrOS
ND_IC_RETRY_MS         # InterCon: retry after 100 ms, as micrOS
ND_IC_CMD_MAX          # micrOS reads 2048 bytes per command
ND_ICPEER_NAME_MAX     # InterCon host names: one DNS label (63)
ND_ICPEER_SECRET_MAX   # per-peer secret: the same bound on every node of a group
ND_TASK_PERIOD_MIN     # task period floor, as micrOS (20 ms)
ND_TASK_PERIOD_MAX     # task period ceiling (one week): part of the command syntax
ND_CRON_CATCHUP_MAX    # crontasks syntax: "~N" at most one week
ND_CRON_SUN_OFF_MAX    # crontasks syntax: sunrise+N within 12 h
ND_LIGHT_PWM_HZ        # PWM frequency above hearing, as micrOS
# -- file formats: a file written by one build must read on another --
ND_CFGSTORE_HDR        # flash config store header bytes
ND_CFGSTORE_MAGIC
ND_AUTH_HASH_MAX       # one password-hash record
ND_UPD_HEAD            # update bundle header bytes
ND_UPD_SIG_MIN         # DER ECDSA signature bounds
ND_UPD_SIG_MAX
ND_UPD_PATH_MAX        # bundle paths and words: what the bundle tool may write
ND_UPD_DEPTH_MAX
ND_UPD_WORD_MAX
ND_REC_ERR_MAX         # update record (shared by the launcher and the node)
ND_REC_TEXT_MAX
ND_PARAMS_SPEC_MAX     # what the 16-bit offsets of a parsed spec reach
ND_BOARD_BUSES         # shape of a board description (board tables fill it)
# -- derived from the limits in opts.h: consistent by construction --
ND_WEB_IN_MAX          # ND_HTTP_HEAD_MAX + ND_HTTP_BODY_MAX
ND_WEB_OUT_MAX         # 6 * ND_REPLY_MAX (JSON escaping) + envelope
ND_OUT_MAX             # ND_OUT_HIGH + ND_REPLY_MAX + slack
ND_TN_OUT_MAX          # ND_TN_OUT_HIGH + slack
ND_METRICS_MAX         # counts the metrics that exist
ND_JSON_MAX_DEPTH      # ND_LIT_MAX_DEPTH (nodus/value.h): one nesting rule
ND_NGROUPS             # sizeof a table
ND_WEB_NSTATUS         # entries of the status-code table
ND_NOTIFY_DELIVERS     # notify.c: ND_WITH_MQTT || ND_WITH_HTTP_CLIENT (a channel exists)
# -- sentinels, enums, policies that are not resource bounds --
ND_BOARD_NONE          # "no pin" sentinel
ND_NSH_AGAIN           # "call again" return code
ND_NSH_LEX_RAW         # lexer mode flags
ND_NSH_LEX_CMP
ND_CFG_ATLEAST         # "no upper bound" sentinel of the config schema
ND_MASK_MIN            # shortest secret masked: shorter would mask ordinary words
ND_PINMAP_ESP32        # pinmap.h: bits of ND_PINMAP_BOARDS, one per board table
ND_PINMAP_ESP32S2
ND_PINMAP_ESP32S3
ND_PINMAP_ESP32C3
ND_PINMAP_ESP32C6
ND_PINMAP_RP2
ND_PINMAP_TINYPICO
ND_PINMAP_RPI
ND_PINMAP_ALL
ND_TRIG_MAX            # ndmath.h: range of its 3-part pi/2 reduction (quadrant < 2^20), fixed by the algorithm
EOF
)
allow=$(awk '{print $1}' <<<"$allow")

bad=0
found=$(find src/core modules -name '*.[ch]' -print0 | sort -z |
        xargs -0 grep -nHE '^\s*#\s*define\s+ND_[A-Z0-9_]+\s+[^"[:space:]]' || true)
while IFS= read -r line; do
    name=$(sed -E 's/^[^:]+:[0-9]+:\s*#\s*define\s+(ND_[A-Z0-9_]+).*/\1/' <<<"$line")
    grep -qx "$name" <<<"$allow" && continue
    echo "opts: ${line%%#*}#define $name -- a limit: move it to include/nodus/opts.h" \
         "(#ifndef-guarded), or allow-list it in tests/check_opts.sh with the reason" >&2
    bad=1
done < <([ -n "$found" ] && echo "$found")
# an allow-listed name nobody defines any more: the list only shrinks by hand
for name in $allow; do
    grep -qE "define\s+$name\s" <<<"$found" || echo "opts: note: $name is allow-listed but defined nowhere" >&2
done
[ $bad -eq 0 ] && echo "opts: every numeric ND_ limit of src/core and modules/ is in nodus/opts.h or allow-listed"
exit $bad
