{
  "variables": {
    "convnode_openmp%": "<!(node scripts/has-openmp.cjs)"
  },
  "targets": [
    {
      "target_name": "convnode",
      "sources": ["<!@(node scripts/native-sources.cjs)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags": ["-O3", "-fno-trapping-math", "-fvisibility=hidden"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-trapping-math", "-fexceptions", "-fvisibility=hidden"],
      "conditions": [
        ["convnode_openmp==1", {
          "defines": ["CONVNODE_OPENMP=1"],
          "cflags": ["-fopenmp"],
          "cflags_cc": ["-fopenmp"],
          "ldflags": ["-fopenmp"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "MACOSX_DEPLOYMENT_TARGET": "11.0"
          }
        }]
      ]
    }
  ]
}
