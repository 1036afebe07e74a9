# XGBoost's C API for the boosted propensity model (Debian libxgboost-dev).
# Only src/model/boost.c includes its header.
find_path(XGBOOST_INCLUDE_DIR xgboost/c_api.h)
find_library(XGBOOST_LIBRARY NAMES xgboost)
if(NOT XGBOOST_INCLUDE_DIR OR NOT XGBOOST_LIBRARY)
  message(FATAL_ERROR
    "XGBoost not found (header xgboost/c_api.h: ${XGBOOST_INCLUDE_DIR}, "
    "library: ${XGBOOST_LIBRARY}). Install it: apt-get install libxgboost-dev")
endif()
message(STATUS "XGBoost: ${XGBOOST_LIBRARY}")
target_include_directories(inkasso_lib SYSTEM PRIVATE ${XGBOOST_INCLUDE_DIR})
target_link_libraries(inkasso_lib PRIVATE ${XGBOOST_LIBRARY})
