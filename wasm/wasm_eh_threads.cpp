// Linked into the threaded WASM build only (CMakeLists.txt, DIGITRAIN_WASM_THREADS): makes
// C++ exceptions catchable there. Debian's Emscripten 3.1.6 ships a prebuilt
// libunwind-mt-except whose __wasm_lpad_context (the landing pad's channel to the
// personality function) is thread_local, as newer clang expects; clang-14 writes it as a
// plain global. The two copies differ, the personality never sees the landing pad, and no
// catch matches: every throw escapes as a WebAssembly.Exception (docs/toolchain.md,
// "Threads"). This is that library's Unwind-wasm.c (LLVM libunwind, Apache-2.0 WITH
// LLVM-exception) with the context a plain global, defined here so the archive's member is
// never linked. A plain global is shared by all threads: only the thread that runs the
// module's calls throws and catches; the kernel pool's tasks never throw.
#include <stdint.h>

// The declarations of Emscripten's libunwind/include/unwind.h that this file needs (clang's
// own unwind.h declares some of these functions with other types): enums are i32 in WASM.
extern "C" {

typedef int _Unwind_Reason_Code;
constexpr _Unwind_Reason_Code _URC_FOREIGN_EXCEPTION_CAUGHT = 1;
typedef int _Unwind_Action;
constexpr _Unwind_Action _UA_CLEANUP_PHASE = 2;
struct _Unwind_Context;  // opaque
struct _Unwind_Exception {
  uint64_t exception_class;
  void (*exception_cleanup)(_Unwind_Reason_Code reason, _Unwind_Exception* exc);
  // (then fields this file never reads)
};

_Unwind_Reason_Code __gxx_personality_wasm0(int version, _Unwind_Action actions, uint64_t exceptionClass,
                                            _Unwind_Exception* unwind_exception, _Unwind_Context* context);

struct _Unwind_LandingPadContext {
  uintptr_t lpad_index;  // in: landing pad index
  uintptr_t lsda;        // in: LSDA address
  uintptr_t selector;    // out: selector value
};

_Unwind_LandingPadContext __wasm_lpad_context;

// Called in landing pads by compiler-generated code.
_Unwind_Reason_Code _Unwind_CallPersonality(void* exception_ptr) {
  auto* exception_object = static_cast<_Unwind_Exception*>(exception_ptr);
  __wasm_lpad_context.selector = 0;
  // Wasm has no two-phase unwinding: only the cleanup phase.
  return __gxx_personality_wasm0(1, _UA_CLEANUP_PHASE, exception_object->exception_class, exception_object,
                                 reinterpret_cast<_Unwind_Context*>(&__wasm_lpad_context));
}

// Called by __cxa_throw.
_Unwind_Reason_Code _Unwind_RaiseException(_Unwind_Exception* exception_object) {
  __builtin_wasm_throw(0, exception_object);
}

// Called by __cxa_end_catch.
void _Unwind_DeleteException(_Unwind_Exception* exception_object) {
  if (exception_object->exception_cleanup != nullptr)
    (*exception_object->exception_cleanup)(_URC_FOREIGN_EXCEPTION_CAUGHT, exception_object);
}

// The personality sets only the selector (index 1).
void _Unwind_SetGR(_Unwind_Context* context, int index, uintptr_t value) {
  if (index != 1) return;
  reinterpret_cast<_Unwind_LandingPadContext*>(context)->selector = value;
}

// Used as a 1-based index after decrementing 1, hence + 2.
uintptr_t _Unwind_GetIP(_Unwind_Context* context) {
  return reinterpret_cast<_Unwind_LandingPadContext*>(context)->lpad_index + 2;
}

void _Unwind_SetIP(_Unwind_Context*, uintptr_t) {}

uintptr_t _Unwind_GetLanguageSpecificData(_Unwind_Context* context) {
  return reinterpret_cast<_Unwind_LandingPadContext*>(context)->lsda;
}

uintptr_t _Unwind_GetRegionStart(_Unwind_Context*) { return 0; }

}  // extern "C"
