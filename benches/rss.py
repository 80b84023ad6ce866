"""Runs a benchmark binary and samples its resident memory (VmRSS) every 0.2 s.

Each line the binary prints is copied to the log with the peak since the line before, so a page's
run can be read with the memory it took. Usage: python3 benches/rss.py <binary> [log path]
"""
import subprocess, threading, time, sys, os
binary = sys.argv[1]
env = dict(os.environ)
p = subprocess.Popen([binary, "--bench"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True, bufsize=1)
peak = {"cur": 0, "all": 0}
stop = False
def rss():
    try:
        for l in open(f"/proc/{p.pid}/status"):
            if l.startswith("VmRSS:"):
                return int(l.split()[1]) // 1024
    except Exception:
        return 0
    return 0
def sample():
    while not stop:
        r = rss()
        peak["cur"] = max(peak["cur"], r); peak["all"] = max(peak["all"], r)
        time.sleep(0.2)
t = threading.Thread(target=sample, daemon=True); t.start()
out = open(sys.argv[2] if len(sys.argv) > 2 else "rss.log", "w")
for line in p.stdout:
    out.write(f"[peak since last line {peak['cur']} MB, now {rss()} MB] {line}")
    out.flush()
    peak["cur"] = rss()
p.wait()
stop = True
out.write(f"overall peak {peak['all']} MB, rc {p.returncode}\n")
out.close()
