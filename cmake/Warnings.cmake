# Warnings are errors in our own code. Third-party headers come in as SYSTEM includes.
add_library(hrapp_warnings INTERFACE)
target_compile_options(hrapp_warnings INTERFACE
  -Wall -Wextra -Werror
  -Wshadow            # a shadowed name is nearly always a bug in a handler or a lambda
  -Wnon-virtual-dtor  # interfaces are deleted through base pointers
  -Wold-style-cast
  -Wcast-align
  -Wunused
  -Woverloaded-virtual
  -Wimplicit-fallthrough
  -Wformat=2)
# GCC 12's -Wrestrict fires inside libstdc++'s std::string at -O3 (the Release build type) on
# code as plain as `"s" + std::to_string(n)`: GCC bug 105651, fixed in GCC 13. Off for GCC 12
# only, so every build type builds under -Werror; other compilers keep it.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(hrapp_warnings INTERFACE -Wno-restrict)
endif()
