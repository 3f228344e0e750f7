"""``python -m schema``: write the schema's SDL to schema/schema.graphql."""

from schema import SDL_PATH, build_schema

SDL_PATH.write_text(build_schema().as_str() + "\n", encoding="utf-8")
print(f"wrote {SDL_PATH}")
