// EventCore: under construction
