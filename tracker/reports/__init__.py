"""Report pages: the region tree, a town's plan, a target, a region's towns compared."""
