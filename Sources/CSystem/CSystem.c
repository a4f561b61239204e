// Intentionally empty: CSystem only re-exports system headers; SwiftPM needs one source file.
#include "CSystem.h"
