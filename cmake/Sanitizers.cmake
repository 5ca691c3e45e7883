# HRAPP_SANITIZE=ON builds everything with AddressSanitizer and UndefinedBehaviorSanitizer;
# CI runs the whole suite once that way.
option(HRAPP_SANITIZE "Build with ASan and UBSan" OFF)
add_library(hrapp_sanitizers INTERFACE)
if(HRAPP_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_compile_options(hrapp_sanitizers INTERFACE ${_san})
  target_link_options(hrapp_sanitizers INTERFACE ${_san})
endif()

# HRAPP_FUZZ=ON (the `fuzz` preset, clang only) adds libFuzzer's coverage instrumentation to
# everything and builds the targets in tests/fuzz; each target links libFuzzer's main itself.
option(HRAPP_FUZZ "Build the libFuzzer targets (clang)" OFF)
if(HRAPP_FUZZ)
  target_compile_options(hrapp_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
  target_link_options(hrapp_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
endif()
