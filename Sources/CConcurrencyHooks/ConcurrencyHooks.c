#include "ConcurrencyHooks.h"

// Declared by the Swift runtime (include/swift/Runtime/Concurrency.h) as a function pointer;
// only its address is taken here.
extern void *swift_task_enqueueGlobal_hook;

void *fabnet_swift_task_enqueueGlobal_hook_address(void) {
    return &swift_task_enqueueGlobal_hook;
}
