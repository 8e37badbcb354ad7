package facecheck

// #cgo LDFLAGS: -ldl
// #define _GNU_SOURCE
// #include <dlfcn.h>
//
// // set_openblas_threads calls OpenBLAS's openblas_set_num_threads when the BLAS that dlib was
// // linked against is OpenBLAS (Debian's libblas.so.3 alternative may be another one): 1 = done.
// static int set_openblas_threads(int n) {
// 	void (*f)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
// 	if (f == NULL) return 0;
// 	f(n);
// 	return 1;
// }
//
// // openblas_threads is OpenBLAS's thread count, or 0 when the BLAS is another one.
// static int openblas_threads(void) {
// 	int (*f)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
// 	return f == NULL ? 0 : f();
// }
import "C"

// oneBLASThread keeps dlib's matrix products (the ResNet's convolutions) on the calling thread.
// OpenBLAS otherwise starts a thread per core whose waiting spins (sched_yield): on a kiosk's two
// cores that took ~10 CPU-ms per selfie from the kiosk's own window for no gain in wall time, and
// the plugin's other network (BlazeFace, onnxruntime) already runs on one thread. It reports
// whether OpenBLAS was found.
func oneBLASThread() bool { return C.set_openblas_threads(1) == 1 }

// blasThreads is OpenBLAS's thread count (0: the BLAS is not OpenBLAS).
func blasThreads() int { return int(C.openblas_threads()) }
