package audio

// #cgo pkg-config: alsa
// #include <alsa/asoundlib.h>
//
// static void quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {}
// static void silence_alsa(void) { snd_lib_error_set_handler(quiet); }
import "C"

import (
	"fmt"
	"unsafe"
)

func init() { C.silence_alsa() } // ALSA's own messages go nowhere; errors are returned and logged

// Probe opens and closes the default ALSA playback device, without
// playing, to learn whether a sound card is there. (oto makes one context
// per process and cannot retry; Probe can.)
func Probe() error {
	name := C.CString("default")
	defer C.free(unsafe.Pointer(name))
	var pcm *C.snd_pcm_t
	if rc := C.snd_pcm_open(&pcm, name, C.SND_PCM_STREAM_PLAYBACK, C.SND_PCM_NONBLOCK); rc < 0 {
		return fmt.Errorf("no audio device: ALSA default: %s", C.GoString(C.snd_strerror(rc)))
	}
	C.snd_pcm_close(pcm)
	return nil
}
