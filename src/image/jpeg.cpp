// JPEG through libjpeg-turbo. libjpeg reports errors by calling error_exit, which must not
// return: it longjmps back to the setjmp in run_decode/run_encode. Those functions keep no
// C++ objects of their own, so the jump skips no destructor; the results live in the caller.
#include <algorithm>
#include <climits>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <jpeglib.h>

#include "image/codecs.hpp"

namespace hrapp::image {
namespace {

// A progressive JPEG can declare thousands of scans, each a pass over the whole picture.
constexpr int kMaxScans = 200;

struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void ignore_message(j_common_ptr) {}

struct DecodeJob {
  ErrorManager err;
  jpeg_progress_mgr progress;
  Budget* budget;
  std::string_view bytes;
  unsigned min_side;
  Decoded* out;
  bool too_slow;
  bool too_many_pixels;
};

void check_progress(j_common_ptr cinfo) {
  auto* job = static_cast<DecodeJob*>(cinfo->client_data);
  const auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxScans || job->budget->expired()) {
    job->too_slow = true;
    std::snprintf(job->err.message, sizeof job->err.message, "too many scans");
    std::longjmp(job->err.jump, 1);
  }
}

void cmyk_to_rgba(const JSAMPLE* cmyk, std::uint8_t* rgba, unsigned width, bool inverted) {
  // Adobe writes CMYK inverted (0 = full ink); others write it plainly.
  for (unsigned x = 0; x < width; ++x, cmyk += 4, rgba += 4) {
    const unsigned c = inverted ? cmyk[0] : 255u - cmyk[0], m = inverted ? cmyk[1] : 255u - cmyk[1],
                   y = inverted ? cmyk[2] : 255u - cmyk[2], k = inverted ? cmyk[3] : 255u - cmyk[3];
    rgba[0] = static_cast<std::uint8_t>(c * k / 255);
    rgba[1] = static_cast<std::uint8_t>(m * k / 255);
    rgba[2] = static_cast<std::uint8_t>(y * k / 255);
    rgba[3] = 255;
  }
}

bool run_decode(DecodeJob& job, jpeg_decompress_struct& cinfo) {
  if (setjmp(job.err.jump)) return false;
  jpeg_create_decompress(&cinfo);
  cinfo.client_data = &job;
  // Bounds libjpeg's own buffers (a progressive picture keeps every coefficient): past this it
  // would need a backing store, which this build refuses with an error.
  cinfo.mem->max_memory_to_use = static_cast<long>(std::min<std::uint64_t>(job.budget->max_canvas_bytes, LONG_MAX));
  cinfo.progress = &job.progress;
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(job.bytes.data()), job.bytes.size());
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 2, 0xFFFF);
  jpeg_read_header(&cinfo, TRUE);
  if (static_cast<std::uint64_t>(cinfo.image_width) * cinfo.image_height > job.budget->max_pixels) {
    job.too_many_pixels = true;
    return false;
  }
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 && std::memcmp(m->data, "Exif\0\0", 6) == 0)
      job.out->exif.assign(reinterpret_cast<const char*>(m->data) + 6, m->data_length - 6);
  JOCTET* icc = nullptr;
  unsigned icc_length = 0;
  if (jpeg_read_icc_profile(&cinfo, &icc, &icc_length)) {
    job.out->icc.assign(reinterpret_cast<const char*>(icc), icc_length);
    std::free(icc);
  }
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  // A CMYK profile describes ink, not the RGB written here.
  if (cmyk) job.out->icc.clear();
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGBA;
  const unsigned longest = std::max(cinfo.image_width, cinfo.image_height);
  unsigned denom = 1;
  while (denom < 8 && (longest + 2 * denom - 1) / (2 * denom) >= job.min_side) denom *= 2;
  cinfo.scale_num = 1;
  cinfo.scale_denom = denom;
  cinfo.dct_method = JDCT_ISLOW;
  jpeg_calc_output_dimensions(&cinfo);
  // A progressive picture keeps every coefficient of the full-size picture while it decodes,
  // whatever the scale.
  std::uint64_t coefficients = 0;
  if (cinfo.progressive_mode)
    for (int c = 0; c < cinfo.num_components; ++c)
      coefficients += std::uint64_t{cinfo.comp_info[c].width_in_blocks} * cinfo.comp_info[c].height_in_blocks *
                      DCTSIZE2 * sizeof(JCOEF);
  job.budget->reserve_canvas(cinfo.output_width, cinfo.output_height, coefficients);
  jpeg_start_decompress(&cinfo);
  Raster& raster = job.out->raster;
  raster.allocate(cinfo.output_width, cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = raster.rgba.data() + std::size_t{cinfo.output_scanline} * raster.width * 4;
    jpeg_read_scanlines(&cinfo, &row, 1);
    // CMYK has 4 samples too: convert in place.
    if (cmyk) cmyk_to_rgba(row, row, raster.width, cinfo.saw_Adobe_marker);
  }
  jpeg_finish_decompress(&cinfo);
  return true;
}

struct EncodeJob {
  ErrorManager err;
  const Raster* raster;
  int quality;
  unsigned char* output;
  unsigned long output_size;
};

bool run_encode(EncodeJob& job, jpeg_compress_struct& cinfo) {
  if (setjmp(job.err.jump)) return false;
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, &job.output, &job.output_size);
  cinfo.image_width = job.raster->width;
  cinfo.image_height = job.raster->height;
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_EXT_RGBA;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, job.quality, TRUE);
  cinfo.optimize_coding = TRUE;
  cinfo.write_JFIF_header = TRUE;
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    // libjpeg does not write through the row pointer.
    JSAMPROW row = const_cast<JSAMPLE*>(job.raster->rgba.data()) + std::size_t{cinfo.next_scanline} * job.raster->width * 4;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  return true;
}

}  // namespace

Decoded decode_jpeg(std::string_view bytes, Budget& budget, unsigned min_side) {
  Decoded out;
  DecodeJob job{};
  job.budget = &budget;
  job.bytes = bytes;
  job.min_side = min_side;
  job.out = &out;
  job.progress.progress_monitor = check_progress;
  jpeg_decompress_struct cinfo{};
  cinfo.err = jpeg_std_error(&job.err.base);
  job.err.base.error_exit = on_error;
  job.err.base.output_message = ignore_message;
  bool ok = false;
  try {
    ok = run_decode(job, cinfo);
  } catch (...) {
    jpeg_destroy_decompress(&cinfo);
    throw;
  }
  jpeg_destroy_decompress(&cinfo);
  if (job.too_many_pixels) budget.check_size(cinfo.image_width, cinfo.image_height);
  if (job.too_slow) reject_too_slow();
  if (!ok) reject_unreadable("JPEG", job.err.message);
  return out;
}

std::string encode_jpeg(const Raster& raster, int quality) {
  EncodeJob job{};
  job.raster = &raster;
  job.quality = quality;
  jpeg_compress_struct cinfo{};
  cinfo.err = jpeg_std_error(&job.err.base);
  job.err.base.error_exit = on_error;
  job.err.base.output_message = ignore_message;
  const bool ok = run_encode(job, cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string bytes;
  if (ok) bytes.assign(reinterpret_cast<const char*>(job.output), job.output_size);
  std::free(job.output);
  if (!ok) throw std::runtime_error(std::string("JPEG encoding failed: ") + job.err.message);
  return bytes;
}

}  // namespace hrapp::image
