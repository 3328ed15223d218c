// IDX label files.
#include "data/idx.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  digitrain::fuzz::expect_only_errors([&] {
    const std::vector<uint8_t> labels = digitrain::parse_idx_labels(data, size, "fuzz-labels");
    if (labels.size() + 8 != size) __builtin_trap();  // exactly the header and one byte per label
  });
  return 0;
}
