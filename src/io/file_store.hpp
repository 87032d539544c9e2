#pragma once
#include <filesystem>

#include "io/store.hpp"

namespace granary::io {

class FileStore final : public Store {
 public:
  explicit FileStore(std::filesystem::path root);
  std::string uri() const override { return root_.string(); }
  std::vector<ObjectInfo> list(const std::string& prefix) const override;
  std::optional<std::uint64_t> size(const std::string& key) const override;
  std::vector<std::byte> get(const std::string& key) const override;
  std::vector<std::byte> get_range(const std::string& key, std::uint64_t offset,
                                   std::uint64_t length) const override;
  void put(const std::string& key, std::span<const std::byte> bytes) override;
  void remove(const std::string& key) override;
  std::optional<std::string> local_path(const std::string& key) const override;

 private:
  std::filesystem::path path_of(const std::string& key) const;
  std::filesystem::path root_;
};

}  // namespace granary::io
