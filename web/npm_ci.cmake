# ink_npm_ci(NPM_DIR): npm ci of the calling directory's package.json and
# package-lock.json (pinned) into NPM_DIR in the build tree, again whenever
# the lock changes; node_modules stays in the build tree so that build
# directories never share (or race on) one. The command's output, for
# DEPENDS, is NPM_DIR/node_modules/.package-lock.json. Needs INK_NPM.
function(ink_npm_ci npm_dir)
  file(RELATIVE_PATH lock ${PROJECT_SOURCE_DIR}
       ${CMAKE_CURRENT_SOURCE_DIR}/package-lock.json)
  add_custom_command(
    OUTPUT ${npm_dir}/node_modules/.package-lock.json
    COMMAND ${CMAKE_COMMAND} -E make_directory ${npm_dir}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different
            ${CMAKE_CURRENT_SOURCE_DIR}/package.json
            ${CMAKE_CURRENT_SOURCE_DIR}/package-lock.json ${npm_dir}
    COMMAND ${INK_NPM} ci --prefix ${npm_dir} --no-audit --no-fund
            --loglevel=error
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/package.json
            ${CMAKE_CURRENT_SOURCE_DIR}/package-lock.json
    COMMENT "npm ci (${lock})"
    VERBATIM)
endfunction()
