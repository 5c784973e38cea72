package locals3

import "syscall"

// sysProcAttr puts weed in its own process group, so Stop reaches everything it started, and has the
// kernel kill it if this process dies first — a test binary killed on timeout must not leave servers
// running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
