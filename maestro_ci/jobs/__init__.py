"""Jobs: pure decisions over typed models. A job never prints, exits or reads the environment."""
