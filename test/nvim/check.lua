-- Headless Neovim as a third-party LSP client of the irqtopo language server, configured with the
-- first Lua block of the Neovim section of docs/editors.md (what a user puts in init.lua):
--   PATH=<a folder with irqtopo-language-server>:$PATH nvim --headless --clean -c 'luafile test/nvim/check.lua'
-- Opens an example with a layering error, waits for the diagnostics, checks the mappings the config
-- sets, asks for a hover, and exits 0 when all arrived as expected (1 otherwise). The 0.11 block of the
-- docs is compiled (not run: 0.7 has no vim.lsp.config). Environment:
--   IRQTOPO_ROOT    the repository (default: the current directory)
local root = os.getenv('IRQTOPO_ROOT') or vim.fn.getcwd()
local file = root .. '/examples/ims-under-pci-msi.irqtopo'

local function fail(msg)
  io.stdout:write('FAIL: ' .. msg .. '\n')
  vim.cmd('cquit! 1')
end

-- the Lua blocks of docs/editors.md's Neovim section, in order
local doc = table.concat(vim.fn.readfile(root .. '/docs/editors.md'), '\n')
local section = doc:match('\n## Neovim\n(.-)\n## ')
if not section then fail('docs/editors.md has no Neovim section') end
local blocks = {}
for code in section:gmatch('```lua\n(.-)```') do table.insert(blocks, code) end
if #blocks < 2 then fail('expected the 0.7+ and the 0.11+ Lua blocks, found ' .. #blocks) end
local chunk, err = loadstring(blocks[2], 'docs/editors.md (0.11 block)')
if not chunk then fail('the 0.11 block does not compile: ' .. err) end
chunk, err = loadstring(blocks[1], 'docs/editors.md (0.7+ block)')
if not chunk then fail('the 0.7+ block does not compile: ' .. err) end
local ok, run_err = pcall(chunk)
if not ok then fail('the 0.7+ block fails: ' .. tostring(run_err)) end
if vim.fn.executable('irqtopo-language-server') ~= 1 then fail('irqtopo-language-server is not on PATH') end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
if vim.bo[bufnr].filetype ~= 'irqtopo' then fail('filetype not set') end

local ok_diag = vim.wait(15000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
if not ok_diag then fail('no diagnostics within 15 s') end

local found = false
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  io.stdout:write(string.format('diagnostic %d:%d %s %s\n', d.lnum + 1, d.col + 1, tostring(code), d.message:sub(1, 80)))
  if code == 'ims-parent-pci-msi' then found = true end
  if code == 'unused-domain' then fail('the settings of the docs turn unused-domain off') end
end
if not found then fail('ims-parent-pci-msi not among the diagnostics') end

-- what on_attach set up
for _, lhs in ipairs({ 'K', 'gd', 'gr' }) do
  if vim.fn.maparg(lhs, 'n') == '' then fail('no ' .. lhs .. ' mapping in the irqtopo buffer') end
end
if vim.bo[bufnr].omnifunc ~= 'v:lua.vim.lsp.omnifunc' then fail("'omnifunc' is " .. vim.bo[bufnr].omnifunc) end
io.stdout:write('mappings: K gd gr, omnifunc ' .. vim.bo[bufnr].omnifunc .. '\n')

-- hover on the IR unit's name in `domain IR-0 : remap`
local line
for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
  if l:match('^domain IR%-0 : remap') then line = i - 1 break end
end
if not line then fail('domain IR-0 not found') end
local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = 8 } }
local results = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 5000)
local text
for _, r in pairs(results or {}) do
  if r.result and r.result.contents then text = r.result.contents.value or r.result.contents end
end
if type(text) ~= 'string' then fail('no hover') end
io.stdout:write('hover: ' .. text:gsub('\n', ' | '):sub(1, 1000) .. '\n')
if not text:find('Parent chain: IR%-0 → VECTOR') then fail('the hover has no parent chain') end

io.stdout:write('OK\n')
vim.cmd('qall!')
