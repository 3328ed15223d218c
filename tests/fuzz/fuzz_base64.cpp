// Base64 (weights inside model files): the decoded size is predicted before decoding, and
// what decodes encodes to text that decodes to the same bytes. (Not always to the same
// text: "AAE=" and "AAA=" differ only in bits the padding drops; like most decoders, ours
// accepts both.)
#include "core/base64.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = digitrain::fuzz::text_of(data, size);
  digitrain::fuzz::expect_only_errors([&] {
    const std::vector<uint8_t> bytes = digitrain::base64_decode(text, "fuzz");
    if (bytes.size() != digitrain::base64_decoded_size(text)) __builtin_trap();
    if (digitrain::base64_decode(digitrain::base64_encode(bytes.data(), bytes.size()), "again") != bytes) __builtin_trap();
  });
  return 0;
}
