//go:build unix && !linux

package locals3

import "syscall"

// sysProcAttr puts weed in its own process group, so Stop reaches everything it started. Only Linux can
// also tie weed's life to this process (Pdeathsig).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
