"""Cron, time zones, sun times, boothook and timirq on a real node whose
clock the test moves with `system setclock` (the OS clock is never touched)."""
import time

from test_tasks import wait_for

CET = "tz=CET-1CEST,M3.5.0,M10.5.0/3"


def cron_info(s):
    out = s.cmd("system cron")
    return {line.split(":")[0].strip(): line for line in out.strip("\n").split("\n")}


def test_entry_fires_once_at_its_exact_second(make_node):
    n = make_node("cron=True", "utc=0", "crontasks=*:9:0:0!system clock &")
    with n.connect() as s:
        s.cmd("system setclock 2026 6 21 8 59 58")
        # the command is a one-shot task: its output is the node clock when cron ran it
        assert wait_for(lambda: s.cmd("task show system.clock").startswith("2026.6.21  9:0:"), 6)
        out = s.cmd("task show system.clock")
        assert out.startswith("2026.6.21  9:0:0\n") or out.startswith("2026.6.21  9:0:1\n"), out
        time.sleep(1.5)
        assert "fired 1, last 2026.06.21 09:00:00" in s.cmd("system cron")
        assert "next 2026.06.22 09:00:00" in s.cmd("system cron")


def test_malformed_entries_reported_others_run(make_node):
    tasks = ("*:25:0:0!a b;*:*:*:*/2!system heartbeat &;*:1:2!x y;*:1:2:3!;"
             "8-x:0:0:0!a b;sunrise+99999!a b;*:*:*:*")
    n = make_node("cron=True", "crontasks=" + tasks)
    with n.connect() as s:
        out = s.cmd("system cron")
        assert "#0 error: hour 25 out of range 0-23" in out
        assert "#2 error:" in out and "#3 error:" in out and "#4 error:" in out
        assert "#5 error:" in out and "#6 error:" in out
        assert "#1 *:*:*:*/2: next" in out
        assert wait_for(lambda: "fired 1," in s.cmd("system cron") or "fired 2," in s.cmd("system cron"), 4)
        assert s.cmd("task show system.heartbeat") == "<3 heartbeat <3\n"
    err = open(n.path("logs", "err.sys.log")).read()
    assert "cron #0" in err and "(other entries still run)" in err


def test_ranges_lists_steps_and_weekday_wrap(make_node):
    # 2026-06-20 is a Saturday (weekday 5); 5-1 wraps Sat..Tue
    n = make_node("cron=True", "utc=0",
                  "crontasks=5-1:8-18/5:0,30:0!system heartbeat &;2-3:*:*/15:0!system uptime &")
    with n.connect() as s:
        s.cmd("system setclock 2026 6 20 9 0 0")
        out = s.cmd("system cron")
        assert "#0 5-1:8-18/5:0,30:0: next 2026.06.20 13:00:00" in out, out
        assert "#1 2-3:*:*/15:0: next 2026.06.24 00:00:00" in out, out


def test_dst_spring_forward_gap_fires_at_first_valid_second(make_node):
    n = make_node("cron=True", CET, "crontasks=*:2:30:0!system clock &")
    with n.connect() as s:
        s.cmd("system setclock 2026 3 29 1 59 58")  # CET; 02:00 -> 03:00 CEST
        assert "next 2026.03.29 03:00:00" in s.cmd("system cron")
        assert wait_for(lambda: "fired 1," in s.cmd("system cron"), 6)
        assert s.cmd("task show system.clock").startswith("2026.3.29  3:0:")
        assert "next 2026.03.30 02:30:00" in s.cmd("system cron")


def test_dst_autumn_overlap_fires_once(make_node):
    n = make_node("cron=True", CET, "crontasks=*:2:30:0!system heartbeat &")
    with n.connect() as s:
        # 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice
        s.cmd("system setclock 2026 10 25 2 29 58")  # interpreted as the first 02:29:58
        assert wait_for(lambda: "fired 1," in s.cmd("system cron"), 6)
        out = s.cmd("system cron")
        assert "next 2026.10.26 02:30:00" in out, out


def test_clock_backwards_never_fires_an_occurrence_twice(make_node):
    n = make_node("cron=True", "utc=0", "crontasks=*:8:0:0!system heartbeat &")
    with n.connect() as s:
        s.cmd("system setclock 2026 6 21 7 59 59")
        assert wait_for(lambda: "fired 1," in s.cmd("system cron"), 5)
        s.cmd("system setclock 2026 6 21 7 59 59")  # back by a second, over the fired one
        time.sleep(2.2)
        out = s.cmd("system cron")
        assert "fired 1," in out and "next 2026.06.22 08:00:00" in out, out
        s.cmd("system setclock 2026 6 21 3 0 0")  # back by hours
        out = s.cmd("system cron")
        assert "fired 1," in out and "next 2026.06.22 08:00:00" in out, out


def test_clock_forward_skips_without_storm_and_catches_up_with_suffix(make_node):
    n = make_node("cron=True", "utc=0",
                  "crontasks=*:*:*:0!system heartbeat &;*:8:0:0~30!system uptime &;*:9:0:0~30!system hosts &")
    with n.connect() as s:
        s.cmd("system setclock 2026 6 21 7 0 0")
        s.cmd("system setclock 2026 6 21 8 10 0")  # jumps over 70 minutes and 08:00
        out = s.cmd("system cron")
        assert "#0 *:*:*:0: next 2026.06.21 08:10:00" in out or "fired 0" in out.split("\n")[0], out
        assert "#1 *:8:0:0~30: next 2026.06.22 08:00:00 | fired 1, last 2026.06.21 08:00:00" in out, out
        assert "#2 *:9:0:0~30: next 2026.06.21 09:00:00 | fired 0" in out, out
        s.cmd("system setclock 2026 6 21 9 45 0")  # 09:00 missed 45 min ago: beyond ~30
        assert "#2 *:9:0:0~30: next 2026.06.22 09:00:00 | fired 0" in s.cmd("system cron")


def test_catch_up_at_boot(make_node, tmp_path):
    now = int(time.time())
    tm = time.gmtime(now - 300)  # an occurrence 5 minutes ago
    spec = "*:%d:%d:%d" % (tm.tm_hour, tm.tm_min, tm.tm_sec)
    state = tmp_path / "boot"
    (state / "data").mkdir(parents=True)
    (state / "data" / "cron.time").write_text("%d\n" % (now - 600))  # off for 10 minutes
    n = make_node("cron=True", "utc=0", "crontasks=%s~30!system heartbeat &;%s!system uptime &" % (spec, spec),
                  state=state)
    with n.connect() as s:
        out = s.cmd("system cron")
        assert "#0 %s~30: next" % spec in out and "fired 1," in out.split("\n")[0], out
        assert "fired 0," in out.split("\n")[1], out
        assert s.cmd("task show system.heartbeat") == "<3 heartbeat <3\n"
    assert "catching up" in open(n.path("logs", "info.sys.log")).read()


def test_conf_change_reloads_cron_without_reboot(make_node):
    n = make_node("utc=0")
    with n.connect() as s:
        assert "off" in s.cmd("system cron")
        s.cmd("conf")
        assert s.cmd("cron True") == "Saved\n"
        assert s.cmd("crontasks *:*:*:*/5!system heartbeat &") == "Saved\n"
        s.cmd("noconf")
        assert "#0 *:*:*:*/5: next" in s.cmd("system cron")


def test_invalid_tz_falls_back_to_utc_minutes(make_node):
    n = make_node("tz=NOT A ZONE", "utc=120")
    with n.connect() as s:
        s.cmd("system setclock 2026 1 1 12 0 0")
        assert s.cmd("system clock").startswith("2026.1.1  12:0:0")
    assert "invalid tz" in open(n.path("logs", "err.sys.log")).read()


def test_sun_times_and_polar(make_node):
    n = make_node("lat=47.4979", "lon=19.0402", CET)
    with n.connect() as s:
        s.cmd("system setclock 2026 6 21 12 0 0")
        out = s.cmd("system sun")
        # Budapest, summer solstice: sunrise ~04:46, sunset ~20:45 CEST (NOAA)
        assert out.startswith(" sunrise: (4, 4") and "\n sunset: (20, 4" in out, out
    polar = make_node("lat=78.22", "lon=15.65", "utc=60")
    with polar.connect() as s:
        s.cmd("system setclock 2026 6 21 12 0 0")
        assert s.cmd("system sun") == " sunrise: no event (polar day)\n sunset: no event (polar day)\n"
        s.cmd("system setclock 2026 12 21 12 0 0")
        assert "polar night" in s.cmd("system sun")


def test_boothook_runs_once_with_pwd(make_node):
    n = make_node("boothook=system heartbeat &; # a comment; robustness create_task 3 10; nomod x $pwd")
    with n.connect() as s:
        assert s.cmd("task show system.heartbeat") == "<3 heartbeat <3\n"
        assert wait_for(lambda: s.cmd("task show robustness.counter") == "step 3/3\n")
    warn = open(n.path("logs", "warn.sys.log")).read()
    # $pwd became the quoted appwd, which the log masks (no secret in logs)
    assert "exec_lm_pipe: nomod x '****'" in warn and "ADmin123" not in warn


def test_timirq_runs_pipeline_periodically(make_node):
    n = make_node("timirq=True", "timirqseq=100", "timirqcbf=system heartbeat &;#c;robustness memory_leak 1 &")
    with n.connect() as s:
        time.sleep(0.65)
        stats = s.cmd("task list")
        assert "No        system.heartbeat" in stats and "No        robustness.memory_leak" in stats
