## The Cortex-M4 target (qemu-system-arm, mps2-an386): make check-mcu.
.PHONY: check-mcu
check-mcu:
	@echo "check-mcu: the Cortex-M4 target is not built yet" >&2; exit 1
