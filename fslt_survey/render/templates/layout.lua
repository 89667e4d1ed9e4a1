-- Built-in render engine: Quarto's layout classes (runs before quarto.lua).
--
-- * ::: {.panel-tabset} with headings inside: in HTML, ARIA tabs (role tablist/tab/tabpanel;
--   site_libs/tabsets.js switches them, and without scripts every panel shows under its
--   heading); in Typst, the panels one after another under their headings (as Quarto's PDF)
-- * ::: {.column-margin} and ::: {.aside} / [text]{.aside}: in HTML an <aside> placed in the
--   right margin on wide screens (inline, set off by a rule, on narrow ones); in Typst a small
--   block in the text (an inline aside becomes a footnote)

local is_html = FORMAT:match("html") ~= nil
local tabsets = 0

local function inline_html(inlines)
  local out = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "html")
  return (out:gsub("%s+$", ""))
end

local function escape(s)
  return (s:gsub("&", "&amp;"):gsub('"', "&quot;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

local function split_tabs(blocks)
  local level = nil
  for _, b in ipairs(blocks) do
    if b.t == "Header" then level = b.level; break end
  end
  local before, tabs = pandoc.List(), {}
  for _, b in ipairs(blocks) do
    if b.t == "Header" and b.level == level then
      table.insert(tabs, { header = b, blocks = pandoc.List({ b }) })
    elseif #tabs > 0 then
      tabs[#tabs].blocks:insert(b)
    else
      before:insert(b)
    end
  end
  return before, tabs
end

local function tabset(div)
  if not div.classes:includes("panel-tabset") then return nil end
  local before, tabs = split_tabs(div.content)
  if #tabs == 0 or not is_html then return div.content end
  tabsets = tabsets + 1
  local base = "tabset-" .. tabsets
  local buttons = {}
  local out = pandoc.List(before)
  for i, tab in ipairs(tabs) do
    local id = base .. "-" .. i
    table.insert(buttons, string.format(
      '<button type="button" role="tab" id="%s-tab" aria-controls="%s" aria-selected="%s">%s</button>',
      id, id, i == 1 and "true" or "false", inline_html(tab.header.content)))
  end
  local label = div.attributes["aria-label"] or div.attributes.title
  local aria = label and (' aria-label="' .. escape(label) .. '"') or ""
  out:insert(pandoc.RawBlock("html",
    '<div role="tablist"' .. aria .. ">" .. table.concat(buttons) .. "</div>"))
  for i, tab in ipairs(tabs) do
    local id = base .. "-" .. i
    out:insert(pandoc.Div(tab.blocks, pandoc.Attr(id, { "tab-panel" },
      { { "role", "tabpanel" }, { "aria-labelledby", id .. "-tab" } })))  -- in this order
  end
  return pandoc.Div(out, pandoc.Attr(div.identifier, { "panel-tabset" }))
end

local function margin(div)
  local cls = nil
  if div.classes:includes("column-margin") then cls = "column-margin" end
  if div.classes:includes("aside") then cls = "aside" end
  if not cls then return nil end
  if not is_html then return div.content end
  local out = pandoc.List({ pandoc.RawBlock("html", '<aside class="' .. cls .. '">') })
  out:extend(div.content)
  out:insert(pandoc.RawBlock("html", "</aside>"))
  return out
end

local function aside_span(span)
  if not span.classes:includes("aside") then return nil end
  if not is_html then return pandoc.Note({ pandoc.Para(span.content) }) end
  local out = pandoc.List({ pandoc.RawInline("html", '<span class="aside" role="note">') })
  out:extend(span.content)
  out:insert(pandoc.RawInline("html", "</span>"))
  return out
end

return {
  { Div = tabset },
  { Div = margin, Span = aside_span },
}
