#include "blob/local_blob_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <filesystem>

#include "common/errors.hpp"

namespace hrapp::blob {
namespace {

class LocalBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("hrapp-blobs-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  struct stat stat_of(const std::string& key) const {
    struct stat out {};
    EXPECT_EQ(::stat((root_ / key).c_str(), &out), 0) << key;
    return out;
  }

  std::filesystem::path root_;
};

TEST_F(LocalBlobStoreTest, SizesWithTheSameBytesShareOneFileAndEachKeyReadsItsOwn) {
  LocalBlobStore store(root_);
  const std::array<BlobToPut, 4> sizes{{
      {"uploads/d/a.jpg", "the picture", "image/jpeg"},
      {"uploads/d/a.w640.jpg", "the picture", "image/jpeg"},
      {"uploads/d/a.w384.jpg", "a smaller picture", "image/jpeg"},
      {"uploads/d/a.thumb.jpg", "a thumbnail", "image/jpeg"},
  }};
  store.put_all(sizes);
  for (const BlobToPut& size : sizes) {
    const auto stored = store.get(size.key);
    ASSERT_TRUE(stored) << size.key;
    EXPECT_EQ(stored->bytes, size.bytes);
    EXPECT_EQ(stored->content_type, "image/jpeg");
  }
  EXPECT_EQ(stat_of("uploads/d/a.jpg").st_ino, stat_of("uploads/d/a.w640.jpg").st_ino) << "one file, two names";
  EXPECT_EQ(stat_of("uploads/d/a.jpg").st_nlink, 2u);
  EXPECT_NE(stat_of("uploads/d/a.w384.jpg").st_ino, stat_of("uploads/d/a.thumb.jpg").st_ino);
  EXPECT_EQ(stat_of("uploads/d/a.thumb.jpg").st_nlink, 1u);
  // Removing one name leaves the other's bytes.
  store.remove("uploads/d/a.jpg");
  EXPECT_FALSE(store.get("uploads/d/a.jpg"));
  ASSERT_TRUE(store.get("uploads/d/a.w640.jpg"));
  EXPECT_EQ(store.get("uploads/d/a.w640.jpg")->bytes, "the picture");
  // No temporary file is left beside them.
  for (const auto& entry : std::filesystem::directory_iterator(root_ / "uploads/d"))
    EXPECT_NE(entry.path().extension(), ".part") << entry.path();
}

TEST_F(LocalBlobStoreTest, AKeyThatIsTakenIsUnavailableAndTheOthersStayReadable) {
  LocalBlobStore store(root_);
  store.put("uploads/d/b.jpg", "first", "image/jpeg");
  const std::array<BlobToPut, 2> again{{
      {"uploads/d/c.jpg", "same", "image/jpeg"},
      {"uploads/d/b.jpg", "same", "image/jpeg"},  // taken: the link cannot be made
  }};
  EXPECT_THROW(store.put_all(again), Unavailable);
  EXPECT_EQ(store.get("uploads/d/b.jpg")->bytes, "first");
  EXPECT_EQ(store.get("uploads/d/c.jpg")->bytes, "same");
}

TEST_F(LocalBlobStoreTest, AKeyOutsideTheStoreIsRefusedBeforeAnyFileIsWritten) {
  LocalBlobStore store(root_);
  const std::array<BlobToPut, 2> sizes{{
      {"uploads/d/e.jpg", "bytes", "image/jpeg"},
      {"../escape.jpg", "bytes", "image/jpeg"},
  }};
  EXPECT_THROW(store.put_all(sizes), NotFound);
  EXPECT_FALSE(std::filesystem::exists(root_.parent_path() / "escape.jpg"));
  EXPECT_FALSE(std::filesystem::exists(root_ / "uploads/d/e.jpg"));
}

}  // namespace
}  // namespace hrapp::blob
