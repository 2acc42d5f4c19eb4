#ifndef FABNET_CFUZZERDRIVER_H
#define FABNET_CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (in the toolchain's libclang_rt.fuzzer): runs the fuzzing loop with
/// `callback` as the target, parsing libFuzzer's flags from argc/argv. Declared here so Swift
/// calls it with the C calling convention.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
