#include "cli/image_decode.h"

#include <png.h>
#include <setjmp.h>

#include <cstdio>
// jpeglib.h needs FILE and size_t declared before it.
#include <jpeglib.h>

#include "core/error.h"

namespace digitrain {

namespace {

void check_size(uint64_t width, uint64_t height, const std::string& source) {
  if (width == 0 || height == 0)
    throw Error(source + ": the picture is " + std::to_string(width) + "x" + std::to_string(height) +
                " pixels (empty)");
  if (width > kMaxPictureSide || height > kMaxPictureSide)
    throw Error(source + ": the picture is " + std::to_string(width) + "x" + std::to_string(height) + " pixels, at most " +
                std::to_string(kMaxPictureSide) + "x" + std::to_string(kMaxPictureSide));
}

// ---- PNG: libpng's simplified API (it keeps its own setjmp inside) ---------------------------

GreyImage decode_png(const std::vector<uint8_t>& bytes, const std::string& source) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
    throw Error(source + ": not a readable PNG (" + image.message + ")");
  struct Free {
    png_image* image;
    ~Free() { png_image_free(image); }
  } free_on_exit{&image};
  check_size(image.width, image.height, source);
  // Grey and alpha: a digit drawn on a transparent canvas has its ink only in the alpha.
  image.format = PNG_FORMAT_GA;
  std::vector<uint8_t> ga(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, ga.data(), 0, nullptr))
    throw Error(source + ": not a readable PNG (" + image.message + ")");
  GreyImage out{static_cast<int>(image.width), static_cast<int>(image.height), {}};
  const size_t count = static_cast<size_t>(out.width) * out.height;
  // Transparent parts become the background: white under dark ink, black under light ink
  // (the ink's colour is the opaque pixels' mean grey).
  uint64_t ink = 0, weight = 0;
  for (size_t i = 0; i < count; ++i) ink += uint64_t{ga[2 * i]} * ga[2 * i + 1], weight += ga[2 * i + 1];
  const unsigned background = weight > 0 && ink < 128 * weight ? 255 : 0;
  out.pixels.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const unsigned grey = ga[2 * i], alpha = ga[2 * i + 1];
    out.pixels[i] = static_cast<uint8_t>((grey * alpha + background * (255 - alpha) + 127) / 255);
  }
  return out;
}

// ---- JPEG: libjpeg-turbo, errors through longjmp ---------------------------------------------

struct JpegErrors {
  jpeg_error_mgr manager;  // first: libjpeg hands back a pointer to it
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr info) {
  JpegErrors* errors = reinterpret_cast<JpegErrors*>(info->err);
  info->err->format_message(info, errors->message);
  longjmp(errors->jump, 1);
}

// Warnings are corrupt data libjpeg would decode around: refuse them instead (djpeg -strict),
// which also stops the slow paths of broken files.
void jpeg_warning(j_common_ptr info, int level) {
  if (level < 0) jpeg_fail(info);
}

// A progressive file may hold any number of scans, each a pass over the whole image;
// libjpeg-turbo's own fuzzers stop at 500 (djpeg -maxscan). 100 is plenty for a real file.
constexpr int kMaxJpegScans = 100;
void jpeg_progress(j_common_ptr info) {
  auto* decompress = reinterpret_cast<j_decompress_ptr>(info);
  if (decompress->input_scan_number > kMaxJpegScans) {
    JpegErrors* errors = reinterpret_cast<JpegErrors*>(info->err);
    std::snprintf(errors->message, sizeof errors->message, "more than %d scans", kMaxJpegScans);
    longjmp(errors->jump, 1);
  }
}

GreyImage decode_jpeg(const std::vector<uint8_t>& bytes, const std::string& source) {
  jpeg_decompress_struct info{};
  JpegErrors errors{};
  info.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_fail;
  errors.manager.emit_message = jpeg_warning;
  jpeg_progress_mgr progress{};
  progress.progress_monitor = jpeg_progress;
  // Only plain data lives between setjmp and longjmp (C++ objects here would not be
  // destroyed): the pixels go into a buffer made before, sized after the header.
  GreyImage out;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&info);
    throw Error(source + ": not a readable JPEG (" + errors.message + ")");
  }
  jpeg_create_decompress(&info);
  info.progress = &progress;
  // Progressive files keep every coefficient of the image: bound what libjpeg may take.
  info.mem->max_memory_to_use = 256L << 20;
  jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  if (info.image_width == 0 || info.image_height == 0 || info.image_width > kMaxPictureSide ||
      info.image_height > kMaxPictureSide) {
    const unsigned width = info.image_width, height = info.image_height;
    jpeg_destroy_decompress(&info);
    check_size(width, height, source);
  }
  info.out_color_space = JCS_GRAYSCALE;
  jpeg_start_decompress(&info);
  out.width = static_cast<int>(info.output_width);
  out.height = static_cast<int>(info.output_height);
  out.pixels.resize(static_cast<size_t>(out.width) * out.height);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out.pixels.data() + static_cast<size_t>(info.output_scanline) * out.width;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return out;
}

// ---- PGM / PPM (binary, P5 / P6): the header read here, every number checked ---------------

struct PnmReader {
  const std::vector<uint8_t>& bytes;
  size_t at = 2;  // after "P5"

  void skip_space_and_comments() {
    while (at < bytes.size()) {
      if (bytes[at] == '#') {
        while (at < bytes.size() && bytes[at] != '\n') ++at;
      } else if (bytes[at] == ' ' || bytes[at] == '\t' || bytes[at] == '\n' || bytes[at] == '\r') {
        ++at;
      } else {
        return;
      }
    }
  }
  // A decimal number of at most 9 digits (so it fits; the sizes are checked after), or -1.
  long number() {
    skip_space_and_comments();
    long value = 0;
    int digits = 0;
    while (at < bytes.size() && bytes[at] >= '0' && bytes[at] <= '9' && digits <= 9)
      value = value * 10 + (bytes[at++] - '0'), ++digits;
    return digits == 0 || digits > 9 ? -1 : value;
  }
};

GreyImage decode_pnm(const std::vector<uint8_t>& bytes, const std::string& source) {
  const bool colour = bytes[1] == '6';
  PnmReader reader{bytes};
  const long width = reader.number(), height = reader.number(), max_value = reader.number();
  if (width < 0 || height < 0 || max_value < 1 || max_value > 65535 || reader.at >= bytes.size() ||
      !(bytes[reader.at] == ' ' || bytes[reader.at] == '\t' || bytes[reader.at] == '\n' || bytes[reader.at] == '\r'))
    throw Error(source + ": not a readable " + (colour ? "PPM" : "PGM") + " (its header is not width, height, maximum value)");
  check_size(static_cast<uint64_t>(width), static_cast<uint64_t>(height), source);
  const size_t start = reader.at + 1;  // one whitespace byte ends the header
  const size_t channels = colour ? 3 : 1, value_bytes = max_value > 255 ? 2 : 1;
  const size_t count = static_cast<size_t>(width) * static_cast<size_t>(height);
  const size_t needed = count * channels * value_bytes;
  if (bytes.size() - start < needed)
    throw Error(source + ": " + std::to_string(bytes.size() - start) + " bytes of pixels, a " + std::to_string(width) +
                "x" + std::to_string(height) + " picture needs " + std::to_string(needed) + " (truncated?)");
  GreyImage out{static_cast<int>(width), static_cast<int>(height), std::vector<uint8_t>(count)};
  const uint8_t* p = bytes.data() + start;
  auto value = [&](size_t index) -> unsigned {  // scaled to 0..255
    const unsigned v = value_bytes == 2 ? (unsigned{p[2 * index]} << 8) | p[2 * index + 1] : p[index];
    return static_cast<unsigned>((std::min<unsigned>(v, static_cast<unsigned>(max_value)) * 255u + max_value / 2) / max_value);
  };
  for (size_t i = 0; i < count; ++i) {
    // ITU-R BT.601 luma, as libjpeg and libpng turn colour into grey.
    out.pixels[i] = colour ? static_cast<uint8_t>((299 * value(3 * i) + 587 * value(3 * i + 1) + 114 * value(3 * i + 2) + 500) / 1000)
                           : static_cast<uint8_t>(value(i));
  }
  return out;
}

}  // namespace

GreyImage decode_picture(const std::vector<uint8_t>& bytes, const std::string& source) {
  const auto starts_with = [&](std::initializer_list<uint8_t> magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
  };
  if (starts_with({0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) return decode_png(bytes, source);
  if (starts_with({0xFF, 0xD8, 0xFF})) return decode_jpeg(bytes, source);
  if (starts_with({'P', '5'}) || starts_with({'P', '6'})) return decode_pnm(bytes, source);
  throw Error(source + ": not a PNG, JPEG, PGM or PPM picture" + (bytes.empty() ? " (the file is empty)" : ""));
}

}  // namespace digitrain
