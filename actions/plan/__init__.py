"""Plan structure: objectives, strategies, activities, goals, funding, actors, periods."""
