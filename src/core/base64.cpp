#include "core/base64.h"

#include "core/error.h"

namespace digitrain {

namespace {
const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string base64_encode(const uint8_t* bytes, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (size_t i = 0; i < size; i += 3) {
    const uint32_t b0 = bytes[i], b1 = i + 1 < size ? bytes[i + 1] : 0, b2 = i + 2 < size ? bytes[i + 2] : 0;
    const uint32_t triple = (b0 << 16) | (b1 << 8) | b2;
    out += kAlphabet[(triple >> 18) & 63];
    out += kAlphabet[(triple >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(triple >> 6) & 63] : '=';
    out += i + 2 < size ? kAlphabet[triple & 63] : '=';
  }
  return out;
}

size_t base64_decoded_size(const std::string& text) {
  if (text.size() % 4 != 0) return 0;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  return text.size() / 4 * 3 - pad;
}

std::vector<uint8_t> base64_decode(const std::string& text, const std::string& what) {
  if (text.size() % 4 != 0) throw Error(what + ": base64 length " + std::to_string(text.size()) + " is not a multiple of 4");
  std::vector<uint8_t> out;
  out.reserve(base64_decoded_size(text));
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    const bool last = i + 4 == text.size();
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      v[k] = c == '=' && last && k >= 2 ? 0 : value_of(c);
      if (v[k] < 0) throw Error(what + ": invalid base64 character at offset " + std::to_string(i + k));
    }
    if (last && text[i + 2] == '=' && text[i + 3] != '=') throw Error(what + ": invalid base64 padding");
    const uint32_t triple = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<uint8_t>(triple >> 16));
    if (!(last && text[i + 2] == '=')) out.push_back(static_cast<uint8_t>(triple >> 8));
    if (!(last && text[i + 3] == '=')) out.push_back(static_cast<uint8_t>(triple));
  }
  return out;
}

}  // namespace digitrain
