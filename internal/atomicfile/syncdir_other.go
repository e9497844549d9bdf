//go:build !unix

package atomicfile

// dirSyncUnsupported: outside Unix (Windows) directories cannot be synced
// this way; the rename is as durable as the platform makes it.
func dirSyncUnsupported(error) bool { return true }
