"""vplane's real-kernel VM harness: fetch a Debian kernel, build modules
against it, boot it under QEMU and run in-guest tests."""
