// BlobKit: under construction
