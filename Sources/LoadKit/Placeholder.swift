// LoadKit: under construction
