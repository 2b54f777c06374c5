# hallpass_check_page_source(VAR): generates, in the current binary directory, the C++ file
# that holds the check page (relay/check/page/) and sets VAR to its path.
function(hallpass_check_page_source var)
  set(dir ${PROJECT_SOURCE_DIR}/relay/check/page)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/check_page_assets.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${out}
            "-DINPUTS=/=${dir}/index.html|/check.js=${dir}/check.js|/check.css=${dir}/check.css"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${dir}/index.html ${dir}/check.js ${dir}/check.css ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    COMMENT "Embedding the check page"
    VERBATIM)
  set(${var} ${out} PARENT_SCOPE)
endfunction()
