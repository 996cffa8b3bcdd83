// SupervisorKit: under construction
