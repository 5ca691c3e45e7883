#pragma once
#include <cstdint>
#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

namespace hrapp {

/// One field at fault and why, shown to the client.
struct FieldError {
  std::string field;
  std::string message;
  std::optional<std::int64_t> line{};  // the line of an imported file the problem is on
};

/// The error taxonomy. Domain code throws these; http/error_response.cpp maps them to a status
/// and the JSON error body in one place. what() is the client-facing message: never SQL, paths
/// or internal detail.
class AppError : public std::runtime_error {
 public:
  AppError(std::string code, std::string message, std::vector<FieldError> fields = {})
      : std::runtime_error(std::move(message)), code_(std::move(code)), fields_(std::move(fields)) {}
  const std::string& code() const { return code_; }
  const std::vector<FieldError>& fields() const { return fields_; }

 private:
  std::string code_;
  std::vector<FieldError> fields_;
};

struct BadRequest : AppError {
  explicit BadRequest(std::string message) : AppError("bad_request", std::move(message)) {}
};
struct ValidationError : AppError {
  explicit ValidationError(std::vector<FieldError> fields)
      : AppError("validation_failed", "some fields are missing or invalid", std::move(fields)) {}
  ValidationError(std::string field, std::string message)
      : ValidationError(std::vector<FieldError>{{std::move(field), std::move(message)}}) {}
};
struct UsernameTaken : AppError {
  UsernameTaken()
      : AppError("username_taken", "that username is already taken", {{"username", "is already taken"}}) {}
};
struct UnsupportedImageType : AppError {
  UnsupportedImageType()
      : AppError("unsupported_image_type", "the image must be a JPEG, PNG, GIF or WebP file",
                 {{"image", "must be a JPEG, PNG, GIF or WebP file"}}) {}
};
/// An image file that cannot be decoded (damaged, truncated, or too slow to decode).
struct InvalidImage : AppError {
  explicit InvalidImage(const std::string& message) : AppError("invalid_image", message, {{"image", message}}) {}
};
/// An image whose declared width x height is more than is decoded.
struct ImageTooLarge : AppError {
  explicit ImageTooLarge(const std::string& message) : AppError("image_too_large", message, {{"image", message}}) {}
};
struct Unauthorized : AppError {
  explicit Unauthorized(std::string message = "sign in first") : AppError("unauthorized", std::move(message)) {}
};
struct Forbidden : AppError {
  explicit Forbidden(std::string message) : AppError("forbidden", std::move(message)) {}
};
/// The account's role does not allow this; `roles` names the ones that do ("hr or admin").
struct RoleRequired : AppError {
  RoleRequired(const std::string& what, const std::string& roles)
      : AppError("role_required", what + " needs the " + roles + " role", {{"role", "must be " + roles}}) {}
};
/// A refusal with its own code and 4xx status (http/error_response.cpp maps each code).
struct Refused : AppError {
  Refused(std::string code, std::string message, std::vector<FieldError> fields = {})
      : AppError(std::move(code), std::move(message), std::move(fields)) {}
};
struct NotFound : AppError {
  explicit NotFound(std::string message) : AppError("not_found", std::move(message)) {}
};
struct PayloadTooLarge : AppError {
  explicit PayloadTooLarge(std::string message) : AppError("payload_too_large", std::move(message)) {}
};
struct UnsupportedMediaType : AppError {
  explicit UnsupportedMediaType(std::string message) : AppError("unsupported_media_type", std::move(message)) {}
};
/// Too many attempts from this client or on this account: 429 with Retry-After.
struct TooManyRequests : AppError {
  TooManyRequests(std::string message, std::int64_t wait_seconds)
      : AppError("too_many_requests", std::move(message)), retry_after_seconds(wait_seconds) {}
  std::int64_t retry_after_seconds;
};
/// A dependency (database, storage) cannot serve now; the client may retry.
struct Unavailable : AppError {
  explicit Unavailable(std::string message = "the service is temporarily unavailable")
      : AppError("unavailable", std::move(message)) {}
};

}  // namespace hrapp
