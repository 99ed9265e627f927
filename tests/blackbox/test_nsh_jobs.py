"""nsh's interpreter through a real door (`sh` typed in the micrOS shell of
a real node): an endless script stopped by Ctrl-C while every door keeps
answering, jobs that are tasks of micrOS's table (`task list` shows them,
`task kill` ends them, nsh `ps` shows micrOS tasks), job states, and
scripts streamed from the state directory with their errors naming file
and line.
"""
import os
import time

from conftest import SANITIZED, Session


class Nsh:
    def __init__(self, node, timeout=20):
        self.s = Session(node.port, timeout=timeout)
        out = self.s.cmd_raw("sh\n")
        assert out.endswith(b" $ "), out

    def run(self, line):
        self.s.send(line + "\n")
        raw = self.s.read_until_prompt().decode(errors="replace")
        idx = raw.rfind("\n")
        return raw[: idx + 1] if idx >= 0 else ""

    def close(self):
        self.s.close()


def put(node, rel, text):
    path = node.path(*rel.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


ENDLESS = "export n 0\n:top\nincr n\ngoto top\n"


def test_endless_script_ctrl_c_and_other_doors_answer(node):
    put(node, "data/endless.sh", ENDLESS)
    sh = Nsh(node)
    sh.s.send("sh /data/endless.sh\n")
    time.sleep(0.3)
    # the loop is shared: another micrOS session answers meanwhile
    with Session(node.port) as other:
        assert other.cmd("hello\n").startswith("hello:")
    sh.s.send(b"\x03")
    sh.s.read_until_prompt()
    assert sh.run("echo $?") == "130\n"
    assert int(sh.run("echo $n").strip()) > 1000
    sh.close()


def test_jobs_share_the_task_table(node):
    put(node, "data/endless.sh", ENDLESS)
    sh = Nsh(node)
    assert sh.run("sh /data/endless.sh &") == "[1]\n"
    with Session(node.port) as micros:
        lst = micros.cmd("task list\n")
        assert "Yes       nsh.1\n" in lst
        assert lst.startswith("---- micrOS  top ----\n#queue: ")
        # a micrOS task shows in nsh's ps
        micros.cmd("system info &&1000\n")
        ps = sh.run("ps")
        assert "system.info (micrOS task)" in ps
        assert "     1  running" in ps and "sh /data/endless.sh" in ps
        assert sh.run("hold 1; jobs") == "[1]  held       sh /data/endless.sh\n"
        assert "     1  held" in sh.run("ps")
        assert sh.run("resume 1; kill 1; wait 1; echo $?") == "[1]+ Killed sh /data/endless.sh\n143\n"
        assert "No        nsh.1\n" in micros.cmd("task list\n")
        # killed from the micrOS side
        assert sh.run("sh /data/endless.sh &") == "[2]\n"
        assert micros.cmd("task kill nsh.2\n") == "Kill: nsh.2|True\n"
        assert "[2]+ Killed sh /data/endless.sh" in sh.run("echo")
        assert sh.run("kill system.info; echo $?") == "0\n"
    sh.close()


def test_job_done_is_reported_in_its_session(node):
    sh = Nsh(node)
    assert sh.run("sleep 0.2 &") == "[1]\n"
    assert sh.run("wait 1; echo $?") == "[1]+ Done sleep 0.2\n0\n"
    sh.close()


def test_script_errors_name_file_and_line(node):
    put(node, "etc/init.sh", "echo start\n\n# loop\ngoto loop\necho never\n")
    sh = Nsh(node)
    assert sh.run("sh /etc/init.sh; echo $?") == \
        "start\n/etc/init.sh:4: goto: no label 'loop'\n2\n"
    sh.close()


def test_module_calls_redirect_and_json(node):
    sh = Nsh(node)
    out = sh.run("system info >json >$si; echo \"$si\"")
    assert out.startswith("{") and out.rstrip().endswith("}")
    assert "not nsh syntax" in sh.run("system info &&")
    sh.close()


def test_readme_worked_example(node):
    """The README's count.sh (tests/fixtures/nsh/count.sh) gives the output shown there."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "fixtures", "nsh", "count.sh")) as f:
        put(node, "data/count.sh", f.read())
    sh = Nsh(node)
    out = sh.run("sh /data/count.sh 3")
    lines = out.splitlines()
    assert lines[:4] == ["i=1", "two is even", "i=2", "i=3"], out
    assert lines[4].startswith("counted to 3 at ") and len(lines[4]) > len("counted to 3 at ")
    assert sh.run("echo $? $i") == "0 4\n"
    with open(node.path("data", "count.log")) as f:
        assert f.read() == "i=1\ni=2\ni=3\n"
    sh.close()


def test_chatty_script_to_a_reader_that_is_behind(node):
    """A script printing in an endless loop to a client that reads nothing
    waits for it (the door's back-pressure): the node's memory stays flat,
    other sessions answer, and Ctrl-C still stops it."""
    put(node, "data/chatty.sh", ":a\necho chatter chatter chatter chatter\ngoto a\n")
    sh = Nsh(node)
    sh.s.send("sh /data/chatty.sh\n")
    time.sleep(0.5)
    rss = node.rss_kb()
    time.sleep(1.0)
    with Session(node.port) as other:
        assert other.cmd("hello\n").startswith("hello:")
    if not SANITIZED:  # ASan's quarantine keeps freed memory: RSS says nothing there
        assert node.rss_kb() < rss + 1024
    sh.s.send(b"\x03")
    tail = b""
    while not tail.endswith(b" $ "):  # drain what was queued, up to the prompt
        chunk = sh.s.sock.recv(1 << 20)
        assert chunk
        tail = (tail + chunk)[-64:]
    assert sh.run("echo $?") == "130\n"
    sh.close()
