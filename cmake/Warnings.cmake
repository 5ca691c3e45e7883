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
