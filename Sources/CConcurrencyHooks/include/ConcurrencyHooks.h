#ifndef FABNET_CONCURRENCY_HOOKS_H
#define FABNET_CONCURRENCY_HOOKS_H

/// The address of the Swift runtime's `swift_task_enqueueGlobal_hook`, the function pointer
/// through which every job for Swift concurrency's global executor passes when it is set.
///
/// NIO installs its event loops there by looking the variable up with `dlsym`, which finds
/// nothing in a binary linked with `--static-swift-stdlib` (the runtime's symbols are not in its
/// dynamic symbol table); the linker resolves this reference in both kinds of build.
void *_Nonnull fabnet_swift_task_enqueueGlobal_hook_address(void);

#endif
