"""Pure domain logic: enums, rules and formats. No Reflex, database or network imports."""
