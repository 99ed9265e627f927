#!/usr/bin/env bash
# The rule that keeps ports possible: src/core and modules/ include no OS
# header (docs/architecture.md §2). Only standard C headers, cJSON, mbedTLS
# (portable C crypto that firmware SDKs ship: the update signature check), Lua
# 5.4 (lua.h, lauxlib.h, lualib.h: Lua Load Modules, src/core/lua_*.c) and
# our own headers are allowed there. Fails listing every offending include.
set -euo pipefail
cd "$(dirname "$0")/.."
allowed='^(assert|ctype|errno|float|inttypes|limits|math|stdarg|stdbool|stddef|stdint|stdio|stdlib|string|cjson/cJSON|mbedtls/[a-z0-9_]+|lua|lauxlib|lualib)\.h$'
bad=0
while IFS= read -r line; do
    file=${line%%:*}
    hdr=$(sed -E 's/.*#\s*include\s*[<"]([^>"]+)[>"].*/\1/' <<<"$line")
    case "$line" in *'#'*include*'"'*) 
        # our own headers ("x.h") are fine when they live in the tree
        [ -f "include/$hdr" ] || [ -f "src/core/$hdr" ] || [ -f "modules/$hdr" ] && continue ;;
    esac
    if ! grep -Eq "$allowed" <<<"$hdr"; then
        echo "core purity: $file includes <$hdr>" >&2
        bad=1
    fi
done < <(grep -HE '^\s*#\s*include' src/core/*.[ch] modules/*.[ch] 2>/dev/null)
[ $bad -eq 0 ] && echo "core purity: src/core and modules/ include no OS header"
# The other rule that keeps ports possible: every tunable limit is in
# include/nodus/opts.h, where a port's nd_port_opts.h overrides it.
tests/check_opts.sh || bad=1
exit $bad
