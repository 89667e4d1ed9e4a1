-- Built-in render engine: the parts of Quarto's markdown that plain pandoc lacks.
--
-- * conditional content (.content-visible / .content-hidden with when-format/unless-format)
-- * callouts (.callout-note/-tip/-warning/-important/-caution), in HTML and Typst
-- * fig-alt on images (becomes the <img alt>, and Typst's image alt), and a fallback alt so
--   that no image is ever without one
-- * table captions from cells (#| tbl-cap) and cross-references (@fig-x, @tbl-x, @sec-x)
-- * tables in HTML wrapped in a keyboard-scrollable box; code-fold as <details>
-- * Typst image paths resolved against the project root (executed figures live in the cache)

local is_html = FORMAT:match("html") ~= nil
local is_typst = FORMAT:match("typst") ~= nil

local S = {
  ["missing-alt"] = "Figure without description",
  ["code-summary"] = "Code",
  ["table-region"] = "Table",
  fig = "Figure",
  tbl = "Table",
  sec = "Section",
}
local files_dir = nil        -- "<stem>_files/"
local files_prefix = ""      -- root-absolute folder holding <stem>_files/ (Typst only)
local doc_prefix = "/"       -- root-absolute folder of the document (Typst only)
local has_bibliography = false
local root_prefix = nil      -- relative path from the page to the site root (HTML only)

local function stringify(x)
  return pandoc.utils.stringify(x)
end

local function typst_string(s)
  s = tostring(s):gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ")
  return '"' .. s .. '"'
end

local function to_typst(blocks)
  local out = pandoc.write(pandoc.Pandoc(blocks), "typst")
  return (out:gsub("%s+$", ""))
end

---------------------------------------------------------------------------------------------
-- metadata

local function read_meta(meta)
  local strings = meta["fslt-strings"]
  if strings then
    for k, v in pairs(strings) do
      S[k] = stringify(v)
    end
  end
  -- paths come as template variables (-V), which pandoc does not read as markdown
  local vars = PANDOC_WRITER_OPTIONS.variables or {}
  local function var(name)
    local v = vars[name]
    if v == nil then return nil end
    return tostring(v)
  end
  files_dir = var("fslt-files-dir") or files_dir
  files_prefix = var("fslt-typst-files-prefix") or files_prefix
  doc_prefix = var("fslt-typst-doc-prefix") or doc_prefix
  root_prefix = var("fslt-root-prefix")
  has_bibliography = meta.bibliography ~= nil or meta.references ~= nil
end

---------------------------------------------------------------------------------------------
-- conditional content

local function format_matches(names)
  for name in tostring(names):gmatch("[^%s,]+") do
    if name == FORMAT then return true end
    if is_html and (name == "html" or name == "html5" or name == "html:js") then return true end
    if is_typst and (name == "typst" or name == "pdf") then return true end
  end
  return false
end

local function visible(el)
  local when = el.attributes["when-format"]
  local unless = el.attributes["unless-format"]
  local ok = true
  if when and not format_matches(when) then ok = false end
  if unless and format_matches(unless) then ok = false end
  return ok
end

local function conditional(el)
  if el.classes:includes("content-visible") then
    if visible(el) then return el.content end
    return {}
  elseif el.classes:includes("content-hidden") then
    local hidden = true
    if el.attributes["when-format"] or el.attributes["unless-format"] then
      hidden = visible(el)
    end
    if hidden then return {} end
    return el.content
  end
  return nil
end

---------------------------------------------------------------------------------------------
-- tables from cells (#| label: tbl-x, #| tbl-cap: ...)

local function cell_table(div)
  if not div.classes:includes("fslt-tbl") then return nil end
  local caption = {}
  local content = pandoc.List()
  for _, b in ipairs(div.content) do
    if b.t == "Div" and b.classes:includes("fslt-tbl-cap") then
      caption = b.content:map(function(x)
        if x.t == "Para" then return pandoc.Plain(x.content) end
        return x
      end)
    else
      content:insert(b)
    end
  end
  local done = false
  local walked = pandoc.Div(content):walk({
    Table = function(t)
      if done then return nil end
      done = true
      t.identifier = div.identifier
      t.caption = { long = caption, short = nil }
      return t
    end,
  })
  if done then return walked.content end
  return pandoc.Figure(content, { long = caption }, pandoc.Attr(div.identifier))
end

---------------------------------------------------------------------------------------------
-- callouts

local CALLOUTS = { note = true, tip = true, warning = true, important = true, caution = true }

local function callout(div)
  local kind = nil
  for _, c in ipairs(div.classes) do
    local k = c:match("^callout%-(%a+)$")
    if k and CALLOUTS[k] then kind = k end
  end
  if not kind then return nil end
  local content = pandoc.List(div.content)
  local title = nil
  if div.attributes.title and div.attributes.title ~= "" then
    local parsed = pandoc.read(div.attributes.title, "markdown").blocks
    title = parsed[1] and parsed[1].content or pandoc.Inlines({})
  elseif #content > 0 and content[1].t == "Header" then
    title = content[1].content
    content:remove(1)
  end
  local appearance = div.attributes.appearance or "default"
  if title == nil and appearance ~= "minimal" then
    title = pandoc.Inlines({ pandoc.Str(S["callout-" .. kind] or kind) })
  end
  if is_typst then
    local t = "none"
    if title then t = "[" .. to_typst({ pandoc.Plain(title) }) .. "]" end
    local out = pandoc.List({
      pandoc.RawBlock("typst", '#fslt-callout(kind: "' .. kind .. '", title: ' .. t .. ")["),
    })
    out:extend(content)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  end
  if is_html then
    local blocks = pandoc.List()
    if title then
      blocks:insert(pandoc.Div({ pandoc.Plain(title) }, pandoc.Attr("", { "callout-title" })))
    end
    blocks:insert(pandoc.Div(content, pandoc.Attr("", { "callout-body" })))
    local classes = { "callout", "callout-" .. kind, "callout-" .. appearance }
    return pandoc.Div(blocks, pandoc.Attr(div.identifier, classes, { role = "note" }))
  end
  return content
end

---------------------------------------------------------------------------------------------
-- images and links

-- root-absolute paths (/reports/x.qmd) are relative to the project root in Quarto; the
-- site must also work from disk, so they become relative to the page
local function from_root(target)
  if is_html and root_prefix and target:match("^/[^/]") then
    return root_prefix .. target:sub(2)
  end
  return target
end


local function image_alt(img)
  local alt = img.attributes["fig-alt"]
  img.attributes["fig-alt"] = nil
  if alt == nil or alt == "" then alt = img.attributes["alt"] end
  if alt == nil or alt == "" then
    local cap = stringify(img.caption)
    if cap ~= "" then alt = cap end
  end
  if alt == nil or alt == "" then
    alt = S["missing-alt"]
    -- figures made by cells are reported (with their cell) by the engine itself
    if not (files_dir and img.src:sub(1, #files_dir) == files_dir) then
      pandoc.log.warn("image '" .. img.src .. "' has no alt text (give it fig-alt or a caption)")
    end
  end
  return alt
end

local function url_decode(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local function normalize(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts > 0 then table.remove(parts) end
    elseif part ~= "." then
      table.insert(parts, part)
    end
  end
  return "/" .. table.concat(parts, "/")
end

local function typst_path(src)
  src = url_decode(src)
  if files_dir and src:sub(1, #files_dir) == files_dir then
    return normalize(files_prefix .. src)
  end
  if src:sub(1, 1) == "/" then return normalize(src) end
  return normalize(doc_prefix .. src)
end

local function typst_length(v)
  if v == nil or v == "" then return nil end
  local n, unit = tostring(v):match("^([%d%.]+)%s*(%a*%%?)$")
  if not n then return nil end
  if unit == "px" or unit == "" then return tostring(tonumber(n) * 0.75) .. "pt" end
  if unit == "%" or unit == "pt" or unit == "cm" or unit == "mm" or unit == "in" or unit == "em" then
    return n .. unit
  end
  return nil
end

local function typst_image_call(img, alt)
  if img.src:match("^%a[%w+.-]*://") or img.src:match("^data:") then
    return nil
  end
  local args = typst_string(typst_path(img.src)) .. ", alt: " .. typst_string(alt)
  local w = typst_length(img.attributes.width)
  local h = typst_length(img.attributes.height)
  if w then args = args .. ", width: " .. w end
  if h then args = args .. ", height: " .. h end
  return "fslt-image(" .. args .. ")"
end

local function single_image(blocks)
  if #blocks ~= 1 then return nil end
  local b = blocks[1]
  if (b.t == "Plain" or b.t == "Para") and #b.content == 1 and b.content[1].t == "Image" then
    return b.content[1]
  end
  return nil
end

local function typst_figure(fig)
  local img = single_image(fig.content)
  if not img then return nil end
  local call = typst_image_call(img, image_alt(img))
  if not call then return nil end
  local caption = ""
  if fig.caption and fig.caption.long and #fig.caption.long > 0 then
    caption = ",\n  caption: [" .. to_typst(fig.caption.long) .. "]"
  end
  local label = ""
  if fig.identifier ~= "" then label = " <" .. fig.identifier .. ">" end
  return pandoc.RawBlock("typst", "#figure(\n  " .. call .. caption .. ",\n  kind: image,\n)" .. label)
end

local function image(img)
  local alt = image_alt(img)
  if is_typst then
    local call = typst_image_call(img, alt)
    if not call then
      pandoc.log.warn("remote image '" .. img.src .. "' cannot be embedded in the PDF")
      return pandoc.Link({ pandoc.Str(alt) }, img.src)
    end
    return pandoc.RawInline("typst", "#" .. call)
  end
  img.attributes["alt"] = alt
  img.src = from_root(img.src)
  return img
end

-- links to other documents: Quarto writes them as .qmd and publishes them as .html
local function link(l)
  if l.target:match("^%a[%w+.-]*:") or l.target:match("^#") or l.target:match("^//") then
    return nil
  end
  local path, frag = l.target:match("^([^#]*)(.*)$")
  if path and path:match("%.qmd$") then
    path = path:gsub("%.qmd$", ".html")
  end
  l.target = from_root(path) .. frag
  return l
end

---------------------------------------------------------------------------------------------
-- cross-references

local refs = {}

local function collect_refs(doc)
  local counts = { fig = 0, tbl = 0 }
  local function register(id, kind)
    if id ~= "" and refs[id] == nil then
      counts[kind] = counts[kind] + 1
      refs[id] = { kind = kind, n = counts[kind] }
    end
  end
  doc.blocks:walk({
    Figure = function(f)
      if f.identifier:match("^fig%-") then register(f.identifier, "fig") end
      if f.identifier:match("^tbl%-") then register(f.identifier, "tbl") end
    end,
    Table = function(t)
      if t.identifier:match("^tbl%-") then register(t.identifier, "tbl") end
    end,
    RawBlock = function(r)
      local id = r.text:match("^#figure%(.*<(fig%-[^>]+)>%s*$")
      if id then register(id, "fig") end
    end,
    Header = function(h)
      if h.identifier:match("^sec%-") then
        refs[h.identifier] = { kind = "sec", text = h.content }
      end
    end,
  })
  return nil
end

local function prefix_caption(caption, id)
  local ref = refs[id]
  if not ref or ref.kind == "sec" or not is_html then return caption end
  local label = pandoc.Inlines({ pandoc.Str(S[ref.kind] .. "\u{a0}" .. ref.n .. ":"), pandoc.Space() })
  if caption and caption.long and #caption.long > 0 and caption.long[1].content then
    local first = caption.long[1]
    first.content = label .. first.content
  else
    caption = { long = { pandoc.Plain(pandoc.Inlines({ pandoc.Str(S[ref.kind] .. "\u{a0}" .. ref.n) })) } }
  end
  return caption
end

local function number_figure(f)
  if refs[f.identifier] then f.caption = prefix_caption(f.caption, f.identifier) end
  return f
end

local function number_table(t)
  if refs[t.identifier] then t.caption = prefix_caption(t.caption, t.identifier) end
  return t
end

local function cite(c)
  local out = pandoc.Inlines({})
  for i, citation in ipairs(c.citations) do
    local id = citation.id
    local ref = refs[id] or refs[id:sub(1, 1):lower() .. id:sub(2)]
    if ref == nil then
      if id:match("^fig%-") or id:match("^tbl%-") or id:match("^sec%-") then
        pandoc.log.warn("unresolved cross-reference @" .. id)
        out:insert(pandoc.Strong({ pandoc.Str("?@" .. id) }))
      elseif is_typst and not has_bibliography then
        return pandoc.Str("@" .. id)
      else
        return nil
      end
    else
      if i > 1 then out:insert(pandoc.Str(",")); out:insert(pandoc.Space()) end
      local target = id
      if refs[id] == nil then target = id:sub(1, 1):lower() .. id:sub(2) end
      if is_typst and ref.kind ~= "sec" then
        out:insert(pandoc.RawInline("typst", "#ref(<" .. target .. ">)"))
      elseif ref.kind == "sec" then
        out:insert(pandoc.Link(ref.text, "#" .. target))
      else
        out:insert(pandoc.Link({ pandoc.Str(S[ref.kind] .. "\u{a0}" .. ref.n) }, "#" .. target))
      end
    end
  end
  return out
end

---------------------------------------------------------------------------------------------
-- HTML only: scrollable tables, code folding

local function wrap_table(el)
  local label = S["table-region"]
  if el.t == "Table" and el.caption and el.caption.long and #el.caption.long > 0 then
    label = stringify(el.caption.long)
  end
  -- attributes as a list of pairs: a Lua table with string keys has no fixed order, and the
  -- same page must give the same bytes
  return pandoc.Div({ el }, pandoc.Attr("", { "table-wrap" }, {
    { "tabindex", "0" }, { "role", "region" }, { "aria-label", label },
  }))
end

local function raw_table(r)
  if r.format == "html" and r.text:match("<table") then return wrap_table(r) end
  return nil
end

local function fold(cb)
  local open = cb.classes:includes("cell-code-fold-open")
  if not (open or cb.classes:includes("cell-code-fold")) then return nil end
  cb.classes = cb.classes:filter(function(c) return not c:match("^cell%-code%-fold") end)
  local tag = open and '<details class="code-fold" open>' or '<details class="code-fold">'
  return {
    pandoc.RawBlock("html", tag .. "<summary>" .. S["code-summary"] .. "</summary>"),
    cb,
    pandoc.RawBlock("html", "</details>"),
  }
end

---------------------------------------------------------------------------------------------

local filters = {
  { Meta = read_meta },
  { Div = conditional, Span = conditional },
  { Div = cell_table },
  { Div = callout },
}
if is_typst then
  table.insert(filters, { Figure = typst_figure })
end
table.insert(filters, { Image = image, Link = link })
table.insert(filters, { Pandoc = collect_refs })
table.insert(filters, { Figure = number_figure, Table = number_table, Cite = cite })
if is_html then
  table.insert(filters, { Table = wrap_table, RawBlock = raw_table, CodeBlock = fold })
end
return filters
