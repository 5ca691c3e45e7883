# embed_files(<name> NAMESPACE <ns> FILES <paths...>) generates a source that defines, in <ns>,
# `const std::vector<EmbeddedFile>& files()` with each file's path and text, so migrations and
# the API's description are compiled into the binary. Sets <name>_SOURCES.
function(embed_files name)
  cmake_parse_arguments(ARG "" "NAMESPACE" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated/${name}.cpp)
  set(inputs)
  foreach(f IN LISTS ARG_FILES)
    list(APPEND inputs ${CMAKE_SOURCE_DIR}/${f})
  endforeach()
  string(REPLACE ";" "," files_arg "${ARG_FILES}")  # a list would split the command line
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${ARG_NAMESPACE} -DROOT=${CMAKE_SOURCE_DIR}
            "-DFILES=${files_arg}" -P ${CMAKE_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    DEPENDS ${inputs} ${CMAKE_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding ${name}"
    VERBATIM)
  set(${name}_SOURCES ${out} PARENT_SCOPE)
endfunction()
