"""Reference data forms need: countries (with what their addresses require) and currencies."""
