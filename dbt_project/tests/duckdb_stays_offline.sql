-- The local warehouse never downloads anything: DuckDB may neither install nor auto-load extensions, and
-- none but the statically linked ones is installed or loaded. A row returned here fails the build (and the
-- asset check on stg_reviews, which this test guards because it is the first model to read the lake).
{% if target.type == 'duckdb' %}
with guarded as (select count(*) as reviews from {{ ref('stg_reviews') }})

select 'setting ' || name || ' = ' || value as problem
from duckdb_settings(), guarded
where name in ('autoinstall_known_extensions', 'autoload_known_extensions') and value <> 'false'
union all
select 'extension ' || extension_name || ' is ' || install_mode as problem
from duckdb_extensions(), guarded
where (installed or loaded) and install_mode <> 'STATICALLY_LINKED'
{% else %}
select 'not applicable' as problem from {{ ref('stg_reviews') }} where false
{% endif %}
