// Only the header matters: it declares libFuzzer's LLVMFuzzerRunDriver for FabnetFuzz.
#include "CFuzzerDriver.h"
