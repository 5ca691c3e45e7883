// PNG through libpng. libpng reports errors by calling our error function, which longjmps back
// to the setjmp in run_decode; that function keeps no C++ objects of its own, so the jump skips
// no destructor.
#include <png.h>

#include <cstdio>
#include <cstring>

#include "image/codecs.hpp"

namespace hrapp::image {
namespace {

struct DecodeJob {
  Budget* budget;
  std::string_view bytes;
  std::size_t position;
  Decoded* out;
  std::vector<png_bytep>* rows;
  bool too_slow;
  bool too_many_pixels;
  png_uint_32 width;
  png_uint_32 height;
  char message[128];
};

void on_error(png_structp png, png_const_charp message) {
  auto* job = static_cast<DecodeJob*>(png_get_error_ptr(png));
  std::snprintf(job->message, sizeof job->message, "%s", message);
  png_longjmp(png, 1);
}

void ignore_warning(png_structp, png_const_charp) {}

void read_bytes(png_structp png, png_bytep into, png_size_t length) {
  auto* job = static_cast<DecodeJob*>(png_get_io_ptr(png));
  if (length > job->bytes.size() - job->position) png_error(png, "the file ends early");
  std::memcpy(into, job->bytes.data() + job->position, length);
  job->position += length;
}

void check_deadline(png_structp png, png_uint_32, int) {
  auto* job = static_cast<DecodeJob*>(png_get_io_ptr(png));
  if (job->budget->expired()) {
    job->too_slow = true;
    png_error(png, "too slow");
  }
}

bool run_decode(DecodeJob& job, png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, &job, read_bytes);
  png_set_read_status_fn(png, check_deadline);
  // Bounds what libpng allocates for ancillary chunks (text, profiles), which can be large.
  png_set_chunk_malloc_max(png, 8 * 1024 * 1024);
  png_set_chunk_cache_max(png, 256);
  png_read_info(png, info);
  job.width = png_get_image_width(png, info);
  job.height = png_get_image_height(png, info);
  if (static_cast<std::uint64_t>(job.width) * job.height > job.budget->max_pixels) {
    job.too_many_pixels = true;
    return false;
  }
  png_charp name = nullptr;
  int compression = 0;
  png_bytep profile = nullptr;
  png_uint_32 profile_length = 0;
  if (png_get_iCCP(png, info, &name, &compression, &profile, &profile_length) && profile)
    job.out->icc.assign(reinterpret_cast<const char*>(profile), profile_length);
  png_uint_32 exif_length = 0;
  png_bytep exif = nullptr;
  if (png_get_eXIf_1(png, info, &exif_length, &exif) && exif)
    job.out->exif.assign(reinterpret_cast<const char*>(exif), exif_length);
  png_set_expand(png);  // palette and low bit depths to 8 bits, tRNS to alpha
  png_set_strip_16(png);
  png_set_gray_to_rgb(png);
  png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != std::size_t{job.width} * 4) png_error(png, "unexpected pixel layout");
  job.budget->reserve_canvas(job.width, job.height, std::uint64_t{job.height} * sizeof(png_bytep));
  Raster& raster = job.out->raster;
  raster.allocate(job.width, job.height);
  job.rows->resize(job.height);
  for (png_uint_32 y = 0; y < job.height; ++y) (*job.rows)[y] = raster.rgba.data() + std::size_t{y} * job.width * 4;
  png_read_image(png, job.rows->data());
  return true;
}

}  // namespace

Decoded decode_png(std::string_view bytes, Budget& budget) {
  Decoded out;
  std::vector<png_bytep> rows;
  DecodeJob job{};
  job.budget = &budget;
  job.bytes = bytes;
  job.out = &out;
  job.rows = &rows;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, on_error, ignore_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    throw std::bad_alloc();
  }
  bool ok = false;
  try {
    ok = run_decode(job, png, info);
  } catch (...) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw;
  }
  png_destroy_read_struct(&png, &info, nullptr);
  if (job.too_many_pixels) budget.check_size(job.width, job.height);
  if (job.too_slow) reject_too_slow();
  if (!ok) reject_unreadable("PNG", job.message);
  return out;
}

}  // namespace hrapp::image
